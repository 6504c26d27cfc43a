namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Snapshot of a task for readers.</summary>
[GenerateSerializer, Immutable, Alias("re.TaskView")]
public sealed record TaskView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Node { get; init; }
    [Id(2)] public ExecState State { get; init; }
    /// <summary>Sum of the steps' exit codes.</summary>
    [Id(3)] public int Code { get; init; }
    [Id(4)] public string Message { get; init; } = "";
    [Id(5)] public IReadOnlyList<string> EnvVars { get; init; } = [];
    [Id(6)] public TimeSpan? Timeout { get; init; }
    [Id(7)] public DateTimeOffset? StartedAt { get; init; }
    [Id(8)] public DateTimeOffset? EndedAt { get; init; }
    [Id(9)] public IReadOnlyList<StepView> Steps { get; init; } = [];
    [Id(10)] public bool Async { get; init; }
    /// <summary>The business code a reader sees: 0, 1001 running, 1002 failed, 1004 pending.</summary>
    [Id(11)] public ResultCode Result { get; init; }
    /// <summary>A fan-out's runs, one per target node (empty for any other task).</summary>
    [Id(12)] public IReadOnlyList<FanOutRun> Runs { get; init; } = [];
    /// <summary>One node's run of a fan-out: the fan-out task's id.</summary>
    [Id(13)] public string? Parent { get; init; }

    public bool IsFanOut => Runs.Count > 0;
}
