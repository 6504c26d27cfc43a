using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>Picks the address other silos reach this one at.</summary>
public static class Network
{
    /// <summary>The first up, non-loopback IPv4 address; loopback when that is all there is.</summary>
    public static IPAddress DefaultAdvertiseAddress()
    {
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
            {
                continue;
            }

            foreach (var address in nic.GetIPProperties().UnicastAddresses)
            {
                if (address.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address.Address))
                {
                    return address.Address;
                }
            }
        }

        return IPAddress.Loopback;
    }
}
