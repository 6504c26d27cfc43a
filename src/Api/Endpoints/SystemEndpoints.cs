using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>Probes and build information: <c>/version</c>, <c>/healthyz</c>, <c>/heartbeat</c>.</summary>
public static class SystemEndpoints
{
    public static IEndpointRouteBuilder MapSystemEndpoints(this IEndpointRouteBuilder app)
    {
        // The probes are open; /api/v1/state is not (it is mapped outside the group).
        var group = app.MapGroup("").WithTags("System").WithAccess(RouteAccess.Open);
        group.MapGet("/version", Version).WithName("Version").WithSummary("Build and version information").Produces<Envelope<VersionInfo>>();
        group.MapGet("/healthyz", Healthyz).WithName("Healthyz").WithSummary("Liveness: server, client and state; 503 when the database file was lost").Produces<Envelope<Health>>().Produces<Envelope<Health>>(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/heartbeat", () => Results.Ok()).WithName("Heartbeat").WithSummary("Heartbeat: an empty 200 while the service runs");
        group.MapMethods("/heartbeat", ["HEAD"], () => Results.Ok()).WithName("HeartbeatHead").WithSummary("Heartbeat (HEAD): an empty 200 while the service runs");
        app.MapGet("/api/v1/state", async (CancellationToken ct) => ApiResults.Ok(await HostState.ReadAsync(ct)))
            .WithTags("System").WithName("HostState").WithSummary("Host state: os, cpu (per core), ram, disk, runtime").Produces<Envelope<HostState.State>>();
        app.MapGet("/swagger", () => Results.Redirect("/scalar", permanent: false)).ExcludeFromDescription().WithAccess(RouteAccess.Open);
        app.MapGet("/swagger/{**rest}", () => Results.Redirect("/scalar", permanent: false)).ExcludeFromDescription().WithAccess(RouteAccess.Open);
        return app;
    }

    public static IResult Version(ApiOptions options) => ApiResults.Ok(new VersionInfo(
        options.Version, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription,
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(), options.Node));

    public static IResult Healthyz(HttpContext context, ApiOptions options)
    {
        var health = new Health($"{options.Node} {context.Request.Host}", context.Connection.RemoteIpAddress?.ToString() ?? "", "Running", options.AuthMode);
        return options.StorageFault() is { } fault
            ? TypedResults.Json(new Envelope<Health>((int)ResultCode.InternalError, fault, ApiResults.Now(), health with { State = "StorageLost" }), statusCode: StatusCodes.Status503ServiceUnavailable)
            : ApiResults.Ok(health);
    }

    /// <summary>Build information.</summary>
    public sealed record VersionInfo(
        [property: JsonPropertyName("version")] string Version,
        [property: JsonPropertyName("runtime")] string Runtime,
        [property: JsonPropertyName("os")] string Os,
        [property: JsonPropertyName("arch")] string Arch,
        [property: JsonPropertyName("node")] string Node);

    /// <summary>Liveness answer.</summary>
    public sealed record Health(
        [property: JsonPropertyName("server")] string Server,
        [property: JsonPropertyName("client")] string Client,
        [property: JsonPropertyName("state")] string State,
        [property: JsonPropertyName("auth")] string Auth);
}
