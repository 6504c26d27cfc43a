namespace RemoteExecutor.Grains.Dag;

/// <summary>When a submitted task may start (the fields <c>run_at</c> and <c>delay</c>).</summary>
public static class StartTime
{
    /// <summary>
    /// The time a delayed task starts, null for "at once" (no field, or a time already past), or an error naming the field.
    /// A start may lie at most <paramref name="keyExpire"/> ahead: the server keeps nothing longer than that.
    /// </summary>
    public static (DateTimeOffset? Start, string? Error) Resolve(DateTimeOffset? runAt, TimeSpan? delay, DateTimeOffset now, TimeSpan keyExpire)
    {
        if (runAt is not null && delay is not null)
        {
            return (null, "run_at and delay: give one of them, not both");
        }

        var field = runAt is not null ? "run_at" : "delay";
        if (delay is { } d && d < TimeSpan.Zero)
        {
            return (null, $"delay must not be negative, got {GoDuration.Format(d)}");
        }

        var start = runAt ?? (delay is { } wait ? now + wait : null);
        if (start is not { } s || s <= now)
        {
            return (null, null);
        }

        return s - now > keyExpire
            ? (null, $"{field}: the start may be at most --key_expire ({GoDuration.Format(keyExpire)}) ahead, got {GoDuration.Format(s - now)}")
            : (s, null);
    }
}
