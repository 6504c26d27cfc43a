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
    /// <summary>The attempt dispatched last (1-based); its execution run id is <see cref="StepAttempts.RunOf"/>.</summary>
    [Id(5)] public int Attempt { get; set; } = 1;
    /// <summary>Set while waiting out the backoff: when the next attempt starts.</summary>
    [Id(6)] public DateTimeOffset? RetryAt { get; set; }
    /// <summary>How the previous attempt ended (shown in the message while the step waits, and kept in the final one).</summary>
    [Id(7)] public string LastFailure { get; set; } = "";
}
