namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One step of a task as accepted (names already sanitised).</summary>
[GenerateSerializer, Immutable, Alias("re.StepSpec")]
public sealed record StepSpec
{
    [Id(0)] public required string Name { get; init; }
    /// <summary>Canonical command type (bash, sh, python3, ...).</summary>
    [Id(1)] public required string CommandType { get; init; }
    [Id(2)] public required string CommandContent { get; init; }
    [Id(3)] public IReadOnlyList<string> EnvVars { get; init; } = [];
    /// <summary>Effective dependencies (the previous step for sequential tasks).</summary>
    [Id(4)] public IReadOnlyList<string> DependsOn { get; init; } = [];
    /// <summary>Step timeout; null = the server's <c>--exec_timeout</c>.</summary>
    [Id(5)] public TimeSpan? Timeout { get; init; }
    /// <summary>The step's <c>with</c> settings object as JSON text (plugin kinds), or null.</summary>
    [Id(6)] public string? With { get; init; }
    /// <summary>When the step runs, given how its dependencies ended.</summary>
    [Id(7)] public StepCondition When { get; init; }
    /// <summary>How a failed attempt is retried; null = never.</summary>
    [Id(8)] public RetryPolicy? Retry { get; init; }
}
