namespace RemoteExecutor.Grains.Interfaces;

/// <summary>How a step's run ended.</summary>
[GenerateSerializer, Immutable, Alias("re.StepOutcome")]
public sealed record StepOutcome(
    [property: Id(0)] ExecState State,
    [property: Id(1)] int Code,
    [property: Id(2)] string Message,
    [property: Id(3)] DateTimeOffset? StartedAt,
    [property: Id(4)] DateTimeOffset EndedAt)
{
    /// <summary><c>KEY=VALUE</c> entries the step wrote to <c>$TASK_STEP_OUTPUT</c> (secrets masked), in file order.</summary>
    [Id(5)] public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>How many attempts the step made (more than 1 when it was retried).</summary>
    [Id(6)] public int Attempts { get; init; } = 1;
}
