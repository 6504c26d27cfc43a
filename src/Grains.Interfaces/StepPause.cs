namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A step paused before its task's run starts (a fan-out hands its step pauses to each node's run).</summary>
[GenerateSerializer, Immutable, Alias("re.StepPause")]
public sealed record StepPause
{
    [Id(0)] public required string Step { get; init; }
    /// <summary>When the pause ends by itself; null = until resumed.</summary>
    [Id(1)] public DateTimeOffset? Until { get; init; }
}
