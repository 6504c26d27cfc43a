using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>The worker pool of this node (or another one with <c>?node=</c>).</summary>
public static class PoolEndpoints
{
    public static IEndpointRouteBuilder MapPoolEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/pool").WithTags("Pool");
        group.MapGet("", GetPool).WithName("GetPool").WithSummary("Pool size, steps accepted since start, running, waiting").Produces<Envelope<PoolDto>>();
        group.MapPost("", ResizePool).WithName("ResizePool").WithSummary("Resize the pool: body {\"size\": N}, N from 1 to --max_pool_size (default 1024)")
            .WithDescription("Takes effect at once: growing starts waiting steps, shrinking lets running steps finish.")
            .Accepts<PoolResize>("application/json")
            .Produces<Envelope<PoolDto>>().Produces<Envelope<object>>(400);
        return app;
    }

    public static async Task<IResult> GetPool(IGrainFactory grains, ApiOptions options, string? node)
    {
        if (await CheckAsync(grains, options, node) is { } error)
        {
            return error;
        }

        var pool = await NodeGrain(grains, options, node).GetPool();
        return ApiResults.Ok(PoolDto.Of(pool));
    }

    public static async Task<IResult> ResizePool(HttpRequest request, IGrainFactory grains, ApiOptions options, string? node)
    {
        int size;
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("size", out var sizeElement))
            {
                return ApiResults.Error(ResultCode.ParameterError, $"body must be {{\"size\": N}} with N from 1 to {options.MaxPoolSize}");
            }

            if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out size))
            {
                return ApiResults.Error(ResultCode.ParameterError, $"size must be a whole number from 1 to {options.MaxPoolSize} (--max_pool_size), got {sizeElement.GetRawText()}");
            }
        }
        catch (JsonException ex)
        {
            return ApiResults.Error(ResultCode.ParameterError, $"malformed JSON body (expected {{\"size\": N}}): {ex.Message}");
        }

        if (size < 1 || size > options.MaxPoolSize)
        {
            return ApiResults.Error(ResultCode.ParameterError, $"size must be from 1 to {options.MaxPoolSize} (--max_pool_size), got {size}");
        }

        if (await CheckAsync(grains, options, node) is { } nodeError)
        {
            return nodeError;
        }

        var pool = await NodeGrain(grains, options, node).ResizePool(size);
        await Audit.RecordAsync(request.HttpContext, grains, "pool.resize", null, null, string.IsNullOrWhiteSpace(node) ? options.Node : node, $"ok: size {size}");
        return ApiResults.Ok(PoolDto.Of(pool));
    }

    private static async Task<IResult?> CheckAsync(IGrainFactory grains, ApiOptions options, string? node) =>
        string.IsNullOrWhiteSpace(node) || await NodeEndpoints.CheckNodeAsync(grains, options, node.Trim()) is not { } error
            ? null
            : ApiResults.Error(ResultCode.ParameterError, error);

    private static INodeGrain NodeGrain(IGrainFactory grains, ApiOptions options, string? node)
    {
        var name = string.IsNullOrWhiteSpace(node) ? options.Node : node.Trim();
        RequestContext.Set(TaskEndpoints.NodeContextKey, name);
        return grains.GetGrain<INodeGrain>(name);
    }
}
