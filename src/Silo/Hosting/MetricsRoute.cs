using RemoteExecutor.Api.Endpoints;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// Prometheus scraping at <c>/metrics</c>, answering GET and HEAD only: the exporter's endpoint takes every method, so
/// it is narrowed to those two and a catch-all ordered behind it answers the rest with the 405 envelope.
/// </summary>
public static class MetricsRoute
{
    public const string Path = "/metrics";

    public static void MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(Path)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .WithAccess(RouteAccess.Metrics)
            .DisableRateLimiting();
        app.Map(Path, (HttpContext context) =>
            {
                context.Response.Headers.Allow = "GET, HEAD";
                return ApiPipeline.MethodNotAllowed(context.Request);
            })
            .WithOrder(1)
            .WithAccess(RouteAccess.Metrics)
            .DisableRateLimiting()
            .ExcludeFromDescription();
    }
}
