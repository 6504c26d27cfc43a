using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>The live nodes of the cluster and their pools.</summary>
public static class NodeEndpoints
{
    public static IEndpointRouteBuilder MapNodeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/nodes", ListNodes).WithTags("Cluster").WithName("ListNodes")
            .WithSummary("Live nodes: name, address, status, labels and pool figures").Produces<Envelope<NodeList>>();
        return app;
    }

    public static async Task<IResult> ListNodes(IGrainFactory grains)
    {
        var hosts = await LiveNodesAsync(grains);
        var nodes = new List<NodeItem>(hosts.Count);
        foreach (var host in hosts)
        {
            RequestContext.Set(TaskEndpoints.NodeContextKey, host.Name);
            var pool = await grains.GetGrain<INodeGrain>(host.Name).GetPool();
            nodes.Add(new NodeItem(host.Name, host.Address, host.Status, pool.Size, pool.Running, pool.Waiting, host.Labels));
        }

        return ApiResults.Ok(new NodeList(nodes.Count, nodes));
    }

    /// <summary>The active silos (one per node), ordered by name.</summary>
    public static Task<IReadOnlyList<NodeInfo>> LiveNodesAsync(IGrainFactory grains) => grains.GetGrain<IQueryGrain>(0).ListNodes();

    /// <summary>Null when <paramref name="node"/> is live; else a message naming the live nodes.</summary>
    public static async Task<string?> CheckNodeAsync(IGrainFactory grains, ApiOptions options, string node)
    {
        if (node == options.Node)
        {
            return null;
        }

        var live = await LiveNodesAsync(grains);
        return live.Any(h => h.Name == node)
            ? null
            : $"node \"{node}\" is unknown or not alive; known nodes: {string.Join(", ", live.Select(h => h.Name))}";
    }

    /// <summary>The cluster's nodes.</summary>
    public sealed record NodeList(
        [property: JsonPropertyName("total")] int Total,
        [property: JsonPropertyName("nodes")] IReadOnlyList<NodeItem> Nodes);

    /// <summary>One node.</summary>
    public sealed record NodeItem(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("address")] string Address,
        [property: JsonPropertyName("status")] string Status,
        [property: JsonPropertyName("size")] int Size,
        [property: JsonPropertyName("running")] int Running,
        [property: JsonPropertyName("waiting")] int Waiting,
        [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels);
}
