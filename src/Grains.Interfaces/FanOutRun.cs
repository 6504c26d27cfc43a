namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One node's run of a fan-out task: pending until started, then the state its run (task <c>&lt;id&gt;@&lt;node&gt;</c>) reported.</summary>
[GenerateSerializer, Immutable, Alias("re.FanOutRun")]
public sealed record FanOutRun
{
    [Id(0)] public required string Node { get; init; }
    [Id(1)] public ExecState State { get; init; } = ExecState.Pending;
    /// <summary>The run's code: the sum of its steps' exit codes.</summary>
    [Id(2)] public int Code { get; init; }
    [Id(3)] public string Message { get; init; } = "pending";
    [Id(4)] public DateTimeOffset? StartedAt { get; init; }
    [Id(5)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Final without success (a failed step, killed, timed out, lost or unreachable); skipped runs are not failed.</summary>
    [Id(6)] public bool Failed { get; init; }
    /// <summary>Its run was handed to the node (a task grain <c>&lt;id&gt;@&lt;node&gt;</c> exists for it).</summary>
    [Id(7)] public bool Dispatched { get; init; }
}
