namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// A step's <c>retry</c> field: how often a failed attempt runs again and how long to wait in between.
/// <see cref="Limit"/> counts retries, so a step runs at most <c>Limit + 1</c> times.
/// </summary>
[GenerateSerializer, Immutable, Alias("re.RetryPolicy")]
public sealed record RetryPolicy
{
    /// <summary>Most retries accepted at submit.</summary>
    public const int MaxLimit = 100;

    /// <summary>Wait before the first retry when the field does not say.</summary>
    public static readonly TimeSpan DefaultBackoff = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts when the field does not say.</summary>
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromMinutes(10);

    [Id(0)] public int Limit { get; init; }
    [Id(1)] public TimeSpan Backoff { get; init; } = DefaultBackoff;
    [Id(2)] public TimeSpan MaxBackoff { get; init; } = DefaultMaxBackoff;
    /// <summary>Exit codes that are retried; empty = every non-zero code.</summary>
    [Id(3)] public IReadOnlyList<int> OnExitCodes { get; init; } = [];
    /// <summary>Whether an attempt that hit its step timeout is retried.</summary>
    [Id(4)] public bool OnTimeout { get; init; } = true;

    /// <summary>
    /// Whether attempt <paramref name="attempt"/> (1-based), which ended with <paramref name="outcome"/>, runs again.
    /// A kill, a system error or a success never does.
    /// </summary>
    public bool Retries(StepOutcome outcome, int attempt)
    {
        if (attempt > Limit)
        {
            return false;
        }

        return outcome.State switch
        {
            ExecState.Stop => outcome.Code != 0 && (OnExitCodes.Count == 0 || OnExitCodes.Contains(outcome.Code)),
            ExecState.Timeout => OnTimeout,
            _ => false,
        };
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): backoff * 2^(attempt-1), at most <see cref="MaxBackoff"/>.</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        if (Backoff <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var cap = MaxBackoff < TimeSpan.Zero ? TimeSpan.Zero : MaxBackoff;
        var doublings = Math.Max(0, attempt - 1);
        if (doublings >= 62)
        {
            return cap;
        }

        var ticks = (double)Backoff.Ticks * Math.Pow(2, doublings);
        return ticks >= cap.Ticks ? cap : TimeSpan.FromTicks((long)ticks);
    }
}
