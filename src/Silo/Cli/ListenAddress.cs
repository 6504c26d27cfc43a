using System.Net;

namespace RemoteExecutor.Silo.Cli;

/// <summary>A Go-style listen address: <c>:2376</c>, <c>127.0.0.1:2376</c>, <c>[::1]:2376</c>, <c>localhost:2376</c>.</summary>
public sealed record ListenAddress(string? Host, int Port)
{
    public static bool TryParse(string? text, out ListenAddress? address, out string error)
    {
        address = null;
        error = "";
        var s = text?.Trim() ?? "";
        var colon = s.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"invalid address \"{text}\": expected host:port or :port";
            return false;
        }

        var host = s[..colon].Trim('[', ']');
        if (!int.TryParse(s[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            error = $"invalid port in address \"{text}\"";
            return false;
        }

        if (host.Length > 0 && host != "localhost" && !IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"invalid host in address \"{text}\"";
            return false;
        }

        address = new ListenAddress(host.Length == 0 ? null : host, port);
        return true;
    }

    public override string ToString() => $"{Host}:{Port}";
}
