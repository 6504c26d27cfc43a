using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// Decides whether a request may reach the endpoint it matched, from the endpoint's <see cref="RouteAccess"/> and the
/// <c>Authorization</c> header alone: never from the path, so a task named <c>metricsexport</c> is as closed as any other.
/// </summary>
public static class AccessCheck
{
    public const string TokenRequired = "a token is required: send the header Authorization: Bearer <token>";
    public const string TokenNotValid = "the token is not valid";
    public const string BasicOnlyOnDashboard = "HTTP Basic authentication is accepted on /dashboard only; send the header Authorization: Bearer <token>";
    public const string UnknownScheme = "unsupported authorization scheme; send the header Authorization: Bearer <token>";

    /// <param name="access">What the matched endpoint asks (<see cref="RouteAccess.Token"/> when nothing matched).</param>
    /// <param name="authorization">The raw <c>Authorization</c> header, if any.</param>
    /// <param name="apiToken">The API token; null = insecure mode, everything is allowed.</param>
    /// <param name="metricsToken">The metrics token; null = <c>/metrics</c> is open.</param>
    public static AccessDecision Decide(RouteAccess access, string? authorization, string? apiToken, string? metricsToken)
    {
        if (apiToken is null)
        {
            return AccessDecision.Allow("insecure");
        }

        if (access == RouteAccess.Open || (access == RouteAccess.Metrics && metricsToken is null))
        {
            return AccessDecision.Allow(null);
        }

        var dashboard = access == RouteAccess.Dashboard;
        var (scheme, secret) = Parse(authorization);
        switch (scheme)
        {
            case Scheme.None:
                return AccessDecision.Refuse(TokenRequired, dashboard);
            case Scheme.Unknown:
                return AccessDecision.Refuse(UnknownScheme, dashboard);
            case Scheme.Basic when !dashboard:
                return AccessDecision.Refuse(BasicOnlyOnDashboard);
        }

        if (access == RouteAccess.Metrics && TokenEquals(secret, metricsToken!))
        {
            return AccessDecision.Allow(TokenId(metricsToken!));
        }

        return TokenEquals(secret, apiToken)
            ? AccessDecision.Allow(TokenId(apiToken))
            : AccessDecision.Refuse(TokenNotValid, dashboard);
    }

    /// <summary>A short, non-secret name of a token for logs and the audit table.</summary>
    public static string TokenId(string token) =>
        "token:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12];

    /// <summary>Compares in constant time (hashes first, so the lengths leak nothing either).</summary>
    public static bool TokenEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private enum Scheme
    {
        None,
        Unknown,
        Bearer,
        Basic,
    }

    private static (Scheme Scheme, string Secret) Parse(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return (Scheme.None, "");
        }

        if (!AuthenticationHeaderValue.TryParse(authorization, out var header))
        {
            return (Scheme.Unknown, "");
        }

        if (string.IsNullOrWhiteSpace(header.Parameter))
        {
            return (Scheme.None, "");
        }

        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return (Scheme.Bearer, header.Parameter.Trim());
        }

        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return (Scheme.Unknown, "");
        }

        try
        {
            // user:password; the user name is ignored, the password is the token.
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return (Scheme.Basic, colon >= 0 ? decoded[(colon + 1)..] : decoded);
        }
        catch (FormatException)
        {
            return (Scheme.Unknown, "");
        }
    }
}
