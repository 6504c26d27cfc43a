using System.Collections.Concurrent;

namespace RemoteExecutor.Grains.Execution;

/// <summary>The unfinished tasks this silo drives; lets a graceful stop wait until they are done.</summary>
public sealed class NodeActivity
{
    private readonly ConcurrentDictionary<string, byte> _tasks = new(StringComparer.Ordinal);
    private TaskCompletionSource _idle = NewIdle();

    public int Count => _tasks.Count;

    public void Started(string task) => _tasks.TryAdd(task, 0);

    public void Ended(string task)
    {
        if (_tasks.TryRemove(task, out _) && _tasks.IsEmpty)
        {
            Interlocked.Exchange(ref _idle, NewIdle()).TrySetResult();
        }
    }

    /// <summary>Completes when no task is unfinished, or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        while (!_tasks.IsEmpty && !cancellationToken.IsCancellationRequested)
        {
            var idle = Volatile.Read(ref _idle).Task;
            if (_tasks.IsEmpty)
            {
                break;
            }

            await Task.WhenAny(idle, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
