using System.Net;
using System.Net.NetworkInformation;
using RemoteExecutor.Silo.Cli;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// The <c>Host</c> values an <c>--insecure</c> server answers: loopback names with the port, the listen address
/// (every local interface address when it is a wildcard), and <c>--allowed_hosts</c>. A host name other than
/// localhost must be listed: that is what a DNS-rebinding page would send.
/// </summary>
public static class InsecureHosts
{
    public static IReadOnlyList<string> For(ListenAddress listen, IEnumerable<string> allowedHosts)
    {
        var port = listen.Port;
        var hosts = new List<string> { $"localhost:{port}", $"127.0.0.1:{port}", $"[::1]:{port}" };
        if (listen.Host is { } host)
        {
            if (IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
            {
                hosts.AddRange(LocalAddresses().Select(a => Authority(a, port)));
            }
            else
            {
                hosts.Add(IPAddress.TryParse(host, out var literal) ? Authority(literal, port) : $"{host}:{port}");
            }
        }

        hosts.AddRange(allowedHosts);
        return hosts;
    }

    private static string Authority(IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    private static IEnumerable<IPAddress> LocalAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            // Scoped (link-local) IPv6 addresses carry a zone no Host header names.
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                || (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && a.ScopeId == 0));
}
