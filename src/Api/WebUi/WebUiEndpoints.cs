using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api.WebUi;

/// <summary>
/// <c>/ui</c>: the web UI's static files. Open without the token (they hold no data: the page asks for the token and
/// sends it on every API call it makes), served with a strict Content-Security-Policy (scripts and styles from this
/// origin only, no inline script, API calls to this origin only, never framed).
/// </summary>
public static class WebUiEndpoints
{
    /// <summary>Where the UI lives.</summary>
    public const string Path = "/ui";

    /// <summary>The policy every UI response carries.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapWebUi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).ExcludeFromDescription().WithAccess(RouteAccess.Open);
        group.MapMethods("", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => Serve(context, "index.html"));
        group.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string? path) =>
            Serve(context, string.IsNullOrEmpty(path) ? "index.html" : path));
        return app;
    }

    /// <summary>Answers one UI file (304 when the browser has it), or the 404 envelope.</summary>
    public static IResult Serve(HttpContext context, string path)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (WebUiAssets.Instance.Find(path) is not { } asset)
        {
            return ApiResults.Error(ResultCode.NotFound, $"no UI file {path}");
        }

        // Revalidated on every load, so a new server version is picked up at once; unchanged files cost a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
