using System.Diagnostics.Metrics;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// How many writes reach the database (meter <see cref="MeterName"/>, exported on <c>/metrics</c>): grain-state
/// writes, read-model commits, summary upserts executed and those merged away by a later one of the same task.
/// </summary>
public sealed class StorageMetrics : IDisposable
{
    public const string MeterName = "RemoteExecutor.Storage";

    private readonly Meter _meter;
    private long _stateWrites;
    private long _commits;
    private long _summaries;
    private long _merged;

    public StorageMetrics(IMeterFactory meters, StorageIo io)
    {
        _meter = meters.Create(MeterName);
        _meter.CreateObservableCounter("remote_executor.storage.state_writes", () => Interlocked.Read(ref _stateWrites), "{write}", "Grain-state writes and clears");
        _meter.CreateObservableCounter("remote_executor.storage.commits", () => Interlocked.Read(ref _commits), "{commit}", "Read-model transactions committed");
        _meter.CreateObservableCounter("remote_executor.storage.summary_upserts", () => Interlocked.Read(ref _summaries), "{row}", "Task summary upserts executed");
        _meter.CreateObservableCounter("remote_executor.storage.summaries_merged", () => Interlocked.Read(ref _merged), "{row}",
            "Task summary upserts skipped because a later one of the same task was in the same transaction");
        _meter.CreateObservableGauge("remote_executor.storage.write_queue", () => io.QueuedWrites, "{write}", "Storage work waiting for the SQLite writer thread");
    }

    /// <summary>Read-model transactions committed since start.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Task summary upserts executed since start.</summary>
    public long SummaryUpserts => Interlocked.Read(ref _summaries);

    /// <summary>Task summary upserts skipped since start (a later one of the same task was in the same transaction).</summary>
    public long SummariesMerged => Interlocked.Read(ref _merged);

    public void StateWritten() => Interlocked.Increment(ref _stateWrites);

    /// <summary>One read-model transaction committed with <paramref name="summaries"/> upserts executed and <paramref name="merged"/> skipped.</summary>
    public void Committed(int summaries, int merged)
    {
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _summaries, summaries);
        Interlocked.Add(ref _merged, merged);
    }

    public void Dispose() => _meter.Dispose();
}
