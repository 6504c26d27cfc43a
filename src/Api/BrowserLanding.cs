using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace RemoteExecutor.Api;

/// <summary>
/// A browser opening the service's root (<c>GET /</c> asking for HTML first) lands on the web UI instead of
/// a 401 envelope; API clients (JSON or no preference) keep the task list answer of the original tool.
/// </summary>
public static class BrowserLanding
{
    public const string Page = WebUi.WebUiEndpoints.Path;

    public static WebApplication UseBrowserLanding(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (WantsPage(context.Request))
            {
                context.Response.Redirect(Page, permanent: false);
                return;
            }

            await next(context);
        });
        return app;
    }

    /// <summary>True for <c>GET /</c> whose most preferred media type is <c>text/html</c>.</summary>
    public static bool WantsPage(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method) || request.Path.Value is not ("/" or ""))
        {
            return false;
        }

        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return false;
        }

        var best = accept.OrderByDescending(a => a.Quality ?? 1.0).First();
        return best.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase);
    }
}
