using Orleans.Runtime;

namespace RemoteExecutor.Grains.Placement;

/// <summary>
/// Places a grain on the silo of a named node: the node in the request context (<see cref="ContextKey"/>),
/// else the grain's own key for node grains, else the calling silo.
/// </summary>
[GenerateSerializer, Immutable, Alias("re.NodePlacement")]
public sealed class NodePlacement : PlacementStrategy
{
    /// <summary>Request-context key holding the target node's name.</summary>
    public const string ContextKey = "re-node";

    /// <summary>Grain type of the node grain, whose key is the node name.</summary>
    public const string NodeGrainType = "re-node";

    internal static readonly NodePlacement Instance = new();
}
