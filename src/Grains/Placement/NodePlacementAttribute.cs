using Orleans.Placement;

namespace RemoteExecutor.Grains.Placement;

/// <summary>Marks a grain class to be placed by <see cref="NodePlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute : PlacementAttribute
{
    public NodePlacementAttribute()
        : base(NodePlacement.Instance)
    {
    }
}
