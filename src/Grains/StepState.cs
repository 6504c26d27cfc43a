namespace RemoteExecutor.Grains;

/// <summary>Durable state of a step grain: written before the process is started, when it has started, and when it has ended.</summary>
[GenerateSerializer, Alias("re.StepState")]
public sealed class StepState
{
    [Id(0)] public Guid Run { get; set; }
    [Id(1)] public StepRun? Request { get; set; }
    [Id(2)] public DateTimeOffset? DispatchedAt { get; set; }
    [Id(3)] public StepOutcome? Outcome { get; set; }
    /// <summary>When the process started: a reactivated task shows a long-running step with its real start time.</summary>
    [Id(4)] public DateTimeOffset? StartedAt { get; set; }
}
