namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The output budget of one step (<c>--max_output</c>), shared by its pipes: bytes within it are kept, bytes
/// beyond it are counted and dropped while the pipes keep draining, so the step never blocks on a full pipe.
/// </summary>
public sealed class OutputLimiter
{
    private long _used;
    private long _dropped;

    public OutputLimiter(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        MaxBytes = maxBytes;
    }

    public long MaxBytes { get; }

    /// <summary>Bytes dropped so far.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>True once the budget is spent: everything read from now on is dropped.</summary>
    public bool Exhausted => Interlocked.Read(ref _used) >= MaxBytes;

    /// <summary>Accounts for <paramref name="count"/> bytes just read; returns how many of them (from the start) may be kept.</summary>
    public int Take(int count)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            var kept = (int)Math.Min(count, Math.Max(0, MaxBytes - used));
            if (Interlocked.CompareExchange(ref _used, used + kept, used) == used)
            {
                if (kept < count)
                {
                    Interlocked.Add(ref _dropped, count - kept);
                }

                return kept;
            }
        }
    }

    /// <summary>The console line that ends a step's output when some was dropped.</summary>
    public string Note() =>
        $"[remote_executor: output limit of {MaxBytes} bytes (--max_output) reached; {Dropped} further bytes were dropped]";
}
