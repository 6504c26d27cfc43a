using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace RemoteExecutor.Grains.Placement;

/// <summary>Resolves a node name to the active silo that carries it (silo name = node name).</summary>
public sealed class NodePlacementDirector : IPlacementDirector
{
    private readonly IClusterMembershipService _membership;

    public NodePlacementDirector(IClusterMembershipService membership) => _membership = membership;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var node = target.RequestContextData is { } data && data.TryGetValue(NodePlacement.ContextKey, out var value) ? value as string : null;
        if (node is null && target.GrainIdentity.Type.ToString() == NodePlacement.NodeGrainType)
        {
            node = target.GrainIdentity.Key.ToString();
        }

        if (node is not null)
        {
            var compatible = context.GetCompatibleSilos(target);
            foreach (var member in _membership.CurrentSnapshot.Members.Values)
            {
                if (member.Status == SiloStatus.Active && member.Name == node && compatible.Contains(member.SiloAddress))
                {
                    return Task.FromResult(member.SiloAddress);
                }
            }
        }

        return Task.FromResult(context.LocalSilo);
    }
}
