using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Grains.Placement;

/// <summary>
/// The active nodes of the cluster with their labels, from this silo's view of the membership and the labels each
/// node publishes as Orleans silo metadata. A node whose metadata this silo has not fetched yet (it just joined) is
/// asked through its node grain.
/// </summary>
public sealed class LiveNodes(IClusterMembershipService membership, ISiloMetadataCache metadata, IGrainFactory grains, EngineOptions options)
{
    /// <summary>Every active node, ordered by name.</summary>
    public async Task<IReadOnlyList<NodeInfo>> ActiveAsync()
    {
        var members = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        var nodes = new List<NodeInfo>(members.Count);
        foreach (var member in members)
        {
            var labels = member.Name == options.Node
                ? options.Labels
                : NodeLabels.FromMetadata(metadata.GetSiloMetadata(member.SiloAddress).Metadata) ?? await AskAsync(member.Name);
            nodes.Add(new NodeInfo(member.Name, member.SiloAddress.ToParsableString(), member.Status.ToString()) { Labels = labels });
        }

        return nodes;
    }

    private async Task<IReadOnlyDictionary<string, string>> AskAsync(string node)
    {
        try
        {
            RequestContext.Set(NodePlacement.ContextKey, node);
            return await grains.GetGrain<INodeGrain>(node).GetLabels() ?? new Dictionary<string, string>();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // It left between the snapshot and the call: it has no labels to match any more.
            return new Dictionary<string, string>();
        }
    }
}
