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
}
