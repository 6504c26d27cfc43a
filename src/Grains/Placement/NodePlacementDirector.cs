using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Placement;

/// <summary>
/// Resolves the node a grain belongs to and places it on the active silo of that name (silo name = node name).
/// The node comes from the grain itself, never from the calling silo: the key of node and step grains; for a task
/// grain the node of the submit (request context, set by the API and carried by every call about the run), else
/// the node the read model (<c>task_summary</c>) records for the task. So a read, kill, reminder or sweep from any
/// node reactivates a task on its own node. A node not in the membership yet is waited for (up to
/// <see cref="EngineOptions.PlacementWait"/>); a node that is gone places its grains on the calling silo, where each
/// knows it is not on its node: recovery resolves the run as lost (the node-loss path), a step never asks the local
/// executor, the node grain offers no pool or files and its expiry reminder sweeps the gone node's finished tasks.
/// </summary>
public sealed partial class NodePlacementDirector : IPlacementDirector
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    private readonly IClusterMembershipService _membership;
    private readonly ReadModelReader _reader;
    private readonly EngineOptions _options;
    private readonly ILogger<NodePlacementDirector> _logger;

    public NodePlacementDirector(IClusterMembershipService membership, ReadModelReader reader, EngineOptions options, ILogger<NodePlacementDirector> logger)
    {
        _membership = membership;
        _reader = reader;
        _options = options;
        _logger = logger;
    }

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var type = target.GrainIdentity.Type.ToString();
        var key = target.GrainIdentity.Key.ToString() ?? "";
        var node = type switch
        {
            NodePlacement.NodeGrainType => key,
            NodePlacement.StepGrainType => StepKey.NodeOf(key),
            // A fan-out's run on one node (<id>@<node>) is placed by its key, like a step.
            _ => FanOutKey.NodeOf(TaskKey.IdOf(key)) ?? ContextNode(target) ?? await _reader.NodeOfTaskAsync(TaskKey.IdOf(key)),
        };
        if (node is null)
        {
            // A task no submit ever reached: there is nothing of it on any node to misplace.
            return context.LocalSilo;
        }

        if (node == _options.Node)
        {
            return context.LocalSilo;
        }

        var compatible = context.GetCompatibleSilos(target);
        var waitUntil = DateTime.UtcNow + _options.PlacementWait;
        while (true)
        {
            var (silo, gone) = Find(node, compatible);
            if (silo is not null)
            {
                return silo;
            }

            if (gone || DateTime.UtcNow >= waitUntil)
            {
                LogNodeGone(_logger, node, type, key);
                return context.LocalSilo;
            }

            await Task.Delay(RetryInterval);
        }
    }

    /// <summary>The active silo of <paramref name="node"/>; else whether the node is gone (only dead entries).</summary>
    private (SiloAddress? Silo, bool Gone) Find(string node, SiloAddress[] compatible)
    {
        var seen = false;
        var coming = false;
        foreach (var member in _membership.CurrentSnapshot.Members.Values)
        {
            if (member.Name != node)
            {
                continue;
            }

            seen = true;
            if (member.Status == SiloStatus.Active && compatible.Contains(member.SiloAddress))
            {
                return (member.SiloAddress, false);
            }

            coming |= member.Status != SiloStatus.Dead;
        }

        return (null, seen && !coming);
    }

    private static string? ContextNode(PlacementTarget target) =>
        target.RequestContextData is { } data && data.TryGetValue(NodePlacement.ContextKey, out var value) ? value as string : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} is not in the cluster: {GrainType} {Key} activates here (node-loss path)")]
    private static partial void LogNodeGone(ILogger logger, string node, string grainType, string key);
}
