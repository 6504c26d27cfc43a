namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Everything a step grain needs to run one step of one run of a task.</summary>
[GenerateSerializer, Immutable, Alias("re.StepRun")]
public sealed record StepRun
{
    [Id(0)] public required string TaskId { get; init; }
    [Id(1)] public required Guid Run { get; init; }
    [Id(2)] public required string Node { get; init; }
    [Id(3)] public required StepSpec Step { get; init; }
    /// <summary>Task env then step env, in that order (later entries win).</summary>
    [Id(4)] public IReadOnlyList<string> Env { get; init; } = [];
    /// <summary>Effective step timeout.</summary>
    [Id(5)] public TimeSpan Timeout { get; init; }
    /// <summary>Every secret value of the task (task level and every step's), masked in this step's output.</summary>
    [Id(6)] public IReadOnlyList<string> Secrets { get; init; } = [];
}
