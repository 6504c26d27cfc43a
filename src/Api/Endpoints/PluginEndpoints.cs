using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>The step kinds of this node.</summary>
public static class PluginEndpoints
{
    public static IEndpointRouteBuilder MapPluginEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/plugins", GetPlugins).WithTags("Plugins").WithName("GetPlugins")
            .WithSummary("The step kinds of this node beside the script types: built-in (http, wasm) and plugins loaded at start, with version and source")
            .WithDescription("Kinds are per node: a step's command_type is checked against the kinds of the node its task runs on.")
            .Produces<Envelope<IReadOnlyList<StepKindDto>>>();
        return app;
    }

    public static IResult GetPlugins(ApiOptions options) => ApiResults.Ok(options.StepKinds);
}
