using Orleans.Runtime;

namespace RemoteExecutor.Grains.Hooks;

/// <summary>
/// Whose webhook outbox a node delivers. Each node delivers the rows of its own tasks. The rows of a node that is gone
/// (no member of that name is alive: every silo it had is dead, or it left the membership table) are adopted by one
/// survivor, the Active silo with the lowest address (as for resolving a lost node's tasks), until a silo of that name
/// is alive again. A node that is only starting or stopping keeps its rows, so a restart does not deliver twice; if two
/// nodes briefly disagree on the membership, a delivery may go twice with the same event id (at-least-once).
/// </summary>
public static class HookOwnership
{
    /// <summary>
    /// The names of the nodes alive in <paramref name="members"/> when <paramref name="self"/> is the heir of the gone
    /// ones (it then delivers every row whose node is not among them, besides its own); null when it delivers only its own.
    /// </summary>
    public static IReadOnlyList<string>? LiveNodesIfHeir(SiloAddress self, string selfName, IEnumerable<ClusterMember> members)
    {
        var all = members.ToList();
        var heir = all.Where(m => m.Status == SiloStatus.Active).MinBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal);
        if (heir is null || !heir.SiloAddress.Equals(self))
        {
            return null;
        }

        return all.Where(m => m.Status != SiloStatus.Dead).Select(m => m.Name).Append(selfName)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
