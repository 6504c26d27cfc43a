using Orleans.Runtime;

namespace RemoteExecutor.Grains.Placement;

/// <summary>
/// Places a grain on the silo of the node it belongs to: node grains by their key, step grains by the node in their
/// key (<see cref="StepKey"/>), a fan-out's run on one node by the node in its key (<see cref="FanOutKey"/>), task grains by the node of the submit in the request context, else by the node the
/// read model records for the task. See <see cref="NodePlacementDirector"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("re.NodePlacement")]
public sealed class NodePlacement : PlacementStrategy
{
    /// <summary>Request-context key holding the target node's name.</summary>
    public const string ContextKey = "re-node";

    /// <summary>Grain type of the node grain, whose key is the node name.</summary>
    public const string NodeGrainType = "re-node";

    /// <summary>Grain type of the step grain (the Orleans default for <c>StepGrain</c>; stored rows depend on it).</summary>
    public const string StepGrainType = "step";

    /// <summary>Grain type of the task grain (the Orleans default for <c>TaskGrain</c>; stored rows depend on it).</summary>
    public const string TaskGrainType = "task";

    internal static readonly NodePlacement Instance = new();
}
