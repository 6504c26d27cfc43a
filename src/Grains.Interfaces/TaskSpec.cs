namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A task as submitted: id sanitised, steps in submission order.</summary>
[GenerateSerializer, Immutable, Alias("re.TaskSpec")]
public sealed record TaskSpec
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public TimeSpan? Timeout { get; init; }
    [Id(2)] public IReadOnlyList<string> EnvVars { get; init; } = [];
    [Id(3)] public bool Async { get; init; }
    [Id(4)] public required IReadOnlyList<StepRequest> Steps { get; init; }
    /// <summary>Node that must run the task; null = the node that received it.</summary>
    [Id(5)] public string? Node { get; init; }
    /// <summary>At most this many of the task's steps run at once; null = no bound beyond the pool.</summary>
    [Id(6)] public int? MaxParallel { get; init; }
    /// <summary>Start the task at this time (not before); null = at once.</summary>
    [Id(7)] public DateTimeOffset? RunAt { get; init; }
    /// <summary>Start the task this long after it is accepted; exclusive with <see cref="RunAt"/>.</summary>
    [Id(8)] public TimeSpan? Delay { get; init; }
    /// <summary>Webhooks that receive the task's events.</summary>
    [Id(9)] public IReadOnlyList<HookSpec> Hooks { get; init; } = [];
    /// <summary>Run the whole task on each of these nodes (a fan-out); null = on <see cref="Node"/> only.</summary>
    [Id(10)] public FanOutTargets? Targets { get; init; }
    /// <summary>Set on one node's run of a fan-out: the fan-out task it reports to.</summary>
    [Id(11)] public string? Parent { get; init; }
    /// <summary>The fan-out's run the node's run belongs to (its reports for another run are ignored).</summary>
    [Id(12)] public Guid ParentRun { get; init; }
    /// <summary>Steps held from the start (a node's run of a fan-out whose steps were paused before the node started).</summary>
    [Id(13)] public IReadOnlyList<StepPause> PausedSteps { get; init; } = [];
}
