using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// Bearer-token protection of every route that reads or runs anything. Open: <c>/healthyz</c>,
/// <c>/heartbeat</c>, <c>/version</c>, the API documents (<c>/openapi</c>, <c>/scalar</c>, <c>/swagger</c>), and
/// <c>/metrics</c> unless a metrics token is set. The dashboard also takes the token as a basic-auth password,
/// so a browser can prompt for it.
/// </summary>
public static class ApiAuthentication
{
    /// <summary>HttpContext item holding who made the request (token id or "insecure"), for the audit log.</summary>
    public const string ActorItem = "re-actor";

    public static WebApplication UseApiAuthentication(this WebApplication app, ApiOptions options)
    {
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "/";
            if (options.Token is null)
            {
                context.Items[ActorItem] = "insecure";
                await next(context);
                return;
            }

            if (IsOpen(path) || (path.StartsWith("/metrics", StringComparison.Ordinal) && options.MetricsToken is null))
            {
                await next(context);
                return;
            }

            var expected = path.StartsWith("/metrics", StringComparison.Ordinal) ? options.MetricsToken! : options.Token;
            var presented = Presented(context.Request);
            if (presented is not null && TokenEquals(presented, expected))
            {
                context.Items[ActorItem] = TokenId(expected);
                await next(context);
                return;
            }

            if (path.StartsWith("/dashboard", StringComparison.Ordinal))
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"RemoteExecutor dashboard (password: the API token)\"";
            }

            var message = presented is null
                ? "a token is required: send the header Authorization: Bearer <token>"
                : "the token is not valid";
            await ApiResults.Error(ResultCode.ParameterError, message, StatusCodes.Status401Unauthorized).ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>A short, non-secret name of a token for logs and the audit table.</summary>
    public static string TokenId(string token) =>
        "token:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12];

    /// <summary>Compares in constant time (hashes first, so the lengths leak nothing either).</summary>
    public static bool TokenEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static bool IsOpen(string path) =>
        path is "/healthyz" or "/heartbeat" or "/version" or "/favicon.ico"
        || path.StartsWith("/openapi/", StringComparison.Ordinal)
        || path == "/scalar" || path.StartsWith("/scalar/", StringComparison.Ordinal)
        || path == "/swagger" || path.StartsWith("/swagger/", StringComparison.Ordinal);

    private static string? Presented(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || header.Parameter is null)
        {
            return null;
        }

        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return header.Parameter.Trim();
        }

        if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon >= 0 ? decoded[(colon + 1)..] : decoded;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }
}
