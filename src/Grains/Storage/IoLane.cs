using System.Collections.Concurrent;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// A task scheduler with its own threads and queue. SQLite's "async" calls run synchronously: work queued here blocks
/// these threads, never the .NET thread pool that runs Orleans' grain schedulers and the HTTP server. Awaits inside
/// the work continue on the lane (the scheduler is captured), so a whole storage call stays on it.
/// </summary>
public sealed class IoLane : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = [];
    private readonly int _threads;

    [ThreadStatic]
    private static IoLane? _current;

    public IoLane(string name, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _threads = threads;
        for (var i = 0; i < threads; i++)
        {
            // Background threads: a lane never keeps the process alive; the writer drains its queue before the host stops.
            new Thread(Loop) { IsBackground = true, Name = threads == 1 ? name : $"{name}-{i + 1}" }.Start();
        }
    }

    public override int MaximumConcurrencyLevel => _threads;

    /// <summary>Work items queued and not yet started.</summary>
    public int Queued => _queue.Count;

    /// <summary>Runs <paramref name="work"/> on the lane; the returned task completes when it has (with its result or fault).</summary>
    public Task<T> Run<T>(Func<Task<T>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <inheritdoc cref="Run{T}(Func{Task{T}})"/>
    public Task Run(Func<Task> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <summary>Takes no more work; the threads end once the queue is empty.</summary>
    public void Dispose() => _queue.CompleteAdding();

    protected override void QueueTask(Task task) => _queue.Add(task);

    // Inline only on the lane's own threads: a caller elsewhere must never run storage work itself.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        ReferenceEquals(_current, this) && !taskWasPreviouslyQueued && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Loop()
    {
        _current = this;
        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
