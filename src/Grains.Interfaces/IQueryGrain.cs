namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The cluster view of this silo. Stateless: one per silo. Read-model queries go through <see cref="IReadModel"/>.</summary>
[Alias("re.IQueryGrain")]
public interface IQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The active nodes with their labels, from this silo's view of the membership and the nodes' silo metadata.</summary>
    [Alias("ListNodes")]
    Task<IReadOnlyList<NodeInfo>> ListNodes();
}
