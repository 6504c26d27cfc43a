namespace RemoteExecutor.Grains.Interfaces;

/// <summary>What a step grain knows of one run.</summary>
[GenerateSerializer, Immutable, Alias("re.StepProgress")]
public sealed record StepProgress(
    [property: Id(0)] bool Dispatched,
    [property: Id(1)] DateTimeOffset? StartedAt,
    [property: Id(2)] StepOutcome? Outcome)
{
    /// <summary>The attempt the step is on (or ended with).</summary>
    [Id(3)] public int Attempts { get; init; } = 1;
}
