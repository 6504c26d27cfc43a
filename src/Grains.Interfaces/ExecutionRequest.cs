namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A process start handed to the executor of a node.</summary>
[GenerateSerializer, Immutable, Alias("re.ExecutionRequest")]
public sealed record ExecutionRequest
{
    [Id(0)] public required string TaskId { get; init; }
    [Id(1)] public required string StepName { get; init; }
    [Id(2)] public required Guid Run { get; init; }
    [Id(3)] public required string CommandType { get; init; }
    [Id(4)] public required string CommandContent { get; init; }
    [Id(5)] public IReadOnlyList<string> Env { get; init; } = [];
    [Id(6)] public TimeSpan Timeout { get; init; }
    /// <summary>Every secret value of the task (all steps' too): masked in this step's output.</summary>
    [Id(7)] public IReadOnlyList<string> Secrets { get; init; } = [];
    /// <summary>The step's <c>with</c> settings object as JSON text (plugin kinds), or null.</summary>
    [Id(8)] public string? With { get; init; }
    /// <summary>Which attempt of the step this is (1-based): attempts after the first write to their own console key.</summary>
    [Id(9)] public int Attempt { get; init; } = 1;
}
