namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// Where this node's storage calls run. SQLite: on two <see cref="IoLane"/>s, one writer thread (SQLite takes one
/// writer at a time, so writers queue here instead of spinning in its busy handler) and a few reader threads (WAL
/// readers go on in parallel). A slow disk then stalls only these threads, never the grain schedulers or the HTTP
/// server. PostgreSQL: Npgsql is truly asynchronous (no thread waits on the network), so calls run where they are made.
/// </summary>
public sealed class StorageIo
{
    /// <summary>Reader threads of a SQLite node: enough for list, console and event reads to overlap a slow one.</summary>
    public const int ReadThreads = 4;

    private readonly IoLane? _reads;
    private readonly IoLane? _writes;
    private readonly Func<bool>? _hold;

    private StorageIo(IoLane? reads, IoLane? writes, Func<bool>? hold)
    {
        _reads = reads;
        _writes = writes;
        _hold = hold;
    }

    /// <summary>
    /// The storage path of <paramref name="database"/>. <paramref name="hold"/> (tests only) holds every grain-state
    /// write on the writer thread while it returns true, as a stalled disk would.
    /// </summary>
    public static StorageIo For(Database database, Func<bool>? hold = null) => database.Kind == DatabaseKind.Sqlite
        ? new StorageIo(new IoLane("sqlite-read", ReadThreads), new IoLane("sqlite-write", 1), hold)
        : new StorageIo(null, null, null);

    /// <summary>True when calls run on dedicated threads (SQLite).</summary>
    public bool Dedicated => _writes is not null;

    /// <summary>Work items waiting for the writer thread.</summary>
    public int QueuedWrites => _writes?.Queued ?? 0;

    public Task<T> ReadAsync<T>(Func<Task<T>> work) => _reads is null ? work() : _reads.Run(work);

    public Task ReadAsync(Func<Task> work) => _reads is null ? work() : _reads.Run(work);

    public Task<T> WriteAsync<T>(Func<Task<T>> work) => _writes is null ? work() : _writes.Run(work);

    public Task WriteAsync(Func<Task> work) => _writes is null ? work() : _writes.Run(work);

    /// <summary>A grain-state write: on the writer thread, after the test hold if one is set.</summary>
    public Task WriteStateAsync(Func<Task> work) => WriteAsync(() =>
    {
        while (_hold?.Invoke() == true)
        {
            // Test hook only: the writer thread is the stalled disk; nothing else runs on it meanwhile.
            Thread.Sleep(20);
        }

        return work();
    });
}
