using System.Net;
using System.Net.Sockets;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// Checks before start that the ports this silo needs are free, so a second instance on the same host stops with
/// one clear line instead of sharing ports or failing deep inside Kestrel or Orleans.
/// </summary>
public static class PortCheck
{
    /// <summary>Throws <see cref="StartupException"/> naming the flag when <paramref name="port"/> cannot be bound.</summary>
    public static void EnsureFree(IPAddress address, int port, string flag)
    {
        if (port == 0)
        {
            return;
        }

        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.Equals(IPAddress.IPv6Any))
        {
            socket.DualMode = true;
        }

        // No SO_REUSEADDR/SO_REUSEPORT (.NET sets SO_REUSEADDR on Unix by default, and Orleans listens with
        // SO_REUSEPORT): without them the bind fails if anything listens on the port, on this address or any.
        if (OperatingSystem.IsWindows())
        {
            socket.ExclusiveAddressUse = true;
        }
        else
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
        }
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(1);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            var why = ex.SocketErrorCode == SocketError.AddressAlreadyInUse ? "is already in use" : "may not be used by this user";
            throw new StartupException(
                $"port {port} ({flag}) on {Describe(address)} {why}: stop the program that holds it (e.g. another remote_executor) or choose another port with {flag}",
                ex);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new StartupException($"address {address} ({flag}) is not an address of this machine: choose another with {flag}", ex);
        }
    }

    private static string Describe(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "all interfaces" : address.ToString();
}
