using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// The browser origins allowed to call the API (<c>--allowed_origins</c>): a request carrying an <c>Origin</c> header
/// must come from one of them or from the server's own origin (its Scalar page and dashboard); anything else, including
/// <c>Origin: null</c>, is a page the operator merely visited and is refused.
/// </summary>
public sealed class OriginAllowList
{
    private readonly HashSet<string> _origins = new(StringComparer.Ordinal);

    public OriginAllowList(IEnumerable<string> origins)
    {
        foreach (var origin in origins)
        {
            if (!TryNormalize(origin, out var normal))
            {
                throw new ArgumentException($"invalid origin \"{origin}\"", nameof(origins));
            }

            _origins.Add(normal);
        }
    }

    /// <summary>No origin but the server's own.</summary>
    public static OriginAllowList None { get; } = new([]);

    /// <param name="origin">The <c>Origin</c> header.</param>
    /// <param name="scheme">The request's scheme (http or https).</param>
    /// <param name="host">The request's <c>Host</c> header: an origin equal to scheme://host is the server's own.</param>
    public bool Allows(string origin, string scheme, HostString host)
    {
        if (!TryNormalize(origin, out var normal))
        {
            return false;
        }

        return _origins.Contains(normal)
            || (host.HasValue && TryNormalize($"{scheme}://{host.Value}", out var own) && own == normal);
    }

    /// <summary>
    /// <c>scheme://host[:port]</c>, lower case, default port left out; false for anything with a path, query, user
    /// info or a scheme other than http/https (the opaque origin <c>null</c> included).
    /// </summary>
    public static bool TryNormalize(string? text, out string origin)
    {
        origin = "";
        var trimmed = text?.Trim().TrimEnd('/') ?? "";
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.UserInfo.Length > 0 || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return false;
        }

        origin = uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
        return true;
    }
}
