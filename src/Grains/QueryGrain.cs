using RemoteExecutor.Grains.Placement;

namespace RemoteExecutor.Grains;

/// <summary>Serves this silo's view of the cluster membership, with every node's labels.</summary>
[StatelessWorker]
public sealed class QueryGrain : Grain, IQueryGrain
{
    private readonly LiveNodes _nodes;

    public QueryGrain(LiveNodes nodes)
    {
        _nodes = nodes;
    }

    public Task<IReadOnlyList<NodeInfo>> ListNodes() => _nodes.ActiveAsync();
}
