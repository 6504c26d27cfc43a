namespace RemoteExecutor.Grains.Interfaces;

/// <summary>How a step's run ended.</summary>
[GenerateSerializer, Immutable, Alias("re.StepOutcome")]
public sealed record StepOutcome(
    [property: Id(0)] ExecState State,
    [property: Id(1)] int Code,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset? StartedAt,
    [property: Id(4)] DateTimeOffset EndedAt);
