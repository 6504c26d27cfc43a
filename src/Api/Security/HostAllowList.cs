using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// The <c>Host</c> header values an insecure server answers (DNS-rebinding defence: a page on <c>evil.example</c>
/// that resolves to 127.0.0.1 still sends <c>Host: evil.example</c>). Entries are <c>name</c> (any port) or
/// <c>name:port</c>; IPv6 addresses in brackets. Names compare case-insensitively, a trailing dot ignored.
/// </summary>
public sealed class HostAllowList
{
    private readonly HashSet<string> _anyPort = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<(string Host, int Port)> _withPort = [];

    public HostAllowList(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            if (!TryParse(entry, out var host, out var port))
            {
                throw new ArgumentException($"invalid host \"{entry}\"", nameof(entries));
            }

            if (port is { } p)
            {
                _withPort.Add((host, p));
            }
            else
            {
                _anyPort.Add(host);
            }
        }

        Entries = [.. _anyPort.Order(StringComparer.Ordinal).Concat(_withPort.Select(e => $"{e.Host}:{e.Port}").Order(StringComparer.Ordinal))];
    }

    /// <summary>The entries, normalised, for messages and logs.</summary>
    public IReadOnlyList<string> Entries { get; }

    public bool Allows(HostString host)
    {
        if (!host.HasValue || !TryParse(host.Value, out var name, out var port))
        {
            return false;
        }

        return _anyPort.Contains(name) || (port is { } p && _withPort.Contains((name, p)));
    }

    /// <summary>Parses <c>name</c>, <c>name:port</c>, <c>[v6]</c> or <c>[v6]:port</c>; the name comes back lower case.</summary>
    public static bool TryParse(string? text, out string host, out int? port)
    {
        host = "";
        port = null;
        if (string.IsNullOrWhiteSpace(text) || text.Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or '?' or '#'))
        {
            return false;
        }

        var parsed = HostString.FromUriComponent(text.Trim());
        var name = parsed.Host.TrimEnd('.').ToLowerInvariant();
        if (name.Length == 0 || (name.StartsWith('[') && !name.EndsWith(']')))
        {
            return false;
        }

        // HostString takes "a:b:c" (a bare IPv6 address) as host "a:b" port "c"; bare IPv6 must be bracketed.
        if (!name.StartsWith('[') && name.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        var portText = text.Trim()[(text.Trim().LastIndexOf(']') + 1)..];
        var colon = portText.LastIndexOf(':');
        if (colon >= 0)
        {
            if (parsed.Port is not { } p || p is < 1 or > 65535)
            {
                return false;
            }

            port = p;
        }

        host = name;
        return true;
    }
}
