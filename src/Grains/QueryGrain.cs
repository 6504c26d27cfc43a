using Orleans.Runtime;

namespace RemoteExecutor.Grains;

/// <summary>Serves this silo's view of the cluster membership.</summary>
[StatelessWorker]
public sealed class QueryGrain : Grain, IQueryGrain
{
    private readonly IClusterMembershipService _membership;

    public QueryGrain(IClusterMembershipService membership)
    {
        _membership = membership;
    }

    public Task<IReadOnlyList<NodeInfo>> ListNodes() => Task.FromResult<IReadOnlyList<NodeInfo>>(
    [
        .. _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => new NodeInfo(m.Name, m.SiloAddress.ToParsableString(), m.Status.ToString())),
    ]);
}
