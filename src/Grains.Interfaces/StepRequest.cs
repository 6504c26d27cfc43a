namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A step as the client wrote it (before names are sanitised and the DAG is checked).</summary>
[GenerateSerializer, Immutable, Alias("re.StepRequest")]
public sealed record StepRequest
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? CommandType { get; init; }
    [Id(2)] public string? CommandContent { get; init; }
    [Id(3)] public IReadOnlyList<string>? EnvVars { get; init; }
    [Id(4)] public IReadOnlyList<string>? DependsOn { get; init; }
    [Id(5)] public TimeSpan? Timeout { get; init; }
    /// <summary>The step's <c>with</c> settings object as JSON text (plugin kinds), or null.</summary>
    [Id(6)] public string? With { get; init; }
    /// <summary>on_success, on_failure or always, as written (checked by the planner).</summary>
    [Id(7)] public string? When { get; init; }
    /// <summary>The step's retry field, already checked.</summary>
    [Id(8)] public RetryPolicy? Retry { get; init; }
}
