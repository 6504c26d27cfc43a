namespace RemoteExecutor.Grains.Hooks;

/// <summary>When an undelivered event is tried again: exponential from 1 s, at most 10 minutes apart, given up after the retry window.</summary>
public static class HookBackoff
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(10);

    /// <summary>The wait after the <paramref name="rounds"/>-th failed round (from 1).</summary>
    public static TimeSpan After(int rounds) =>
        TimeSpan.FromTicks((long)Math.Min(Longest.Ticks, First.Ticks * Math.Pow(2, Math.Clamp(rounds - 1, 0, 30))));
}
