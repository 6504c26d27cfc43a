namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One row of the task list (the <c>task_summary</c> read model).</summary>
[GenerateSerializer, Immutable, Alias("re.TaskSummary")]
public sealed record TaskSummary
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Node { get; init; }
    [Id(2)] public ExecState State { get; init; }
    [Id(3)] public int Code { get; init; }
    [Id(4)] public string Message { get; init; } = "";
    [Id(5)] public IReadOnlyList<string> EnvVars { get; init; } = [];
    [Id(6)] public string Timeout { get; init; } = "";
    [Id(7)] public int Count { get; init; }
    [Id(8)] public DateTimeOffset? StartedAt { get; init; }
    [Id(9)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>One node's run of a fan-out: the fan-out task (such rows are not listed).</summary>
    [Id(10)] public string? Parent { get; init; }
    /// <summary>A fan-out's number of target nodes; 0 for any other task.</summary>
    [Id(11)] public int Nodes { get; init; }
}
