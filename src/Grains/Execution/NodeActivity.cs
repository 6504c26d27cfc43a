using System.Collections.Concurrent;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The unfinished tasks this silo drives; lets a graceful stop wait until they are done. A task that is only held
/// (paused or delayed, nothing of it running or queued) does not hold the stop: its state is durable and it goes on
/// after the restart.
/// </summary>
public sealed class NodeActivity
{
    private readonly ConcurrentDictionary<string, byte> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private TaskCompletionSource _idle = NewIdle();

    public int Count => _tasks.Count;

    public void Started(string task) => _tasks.TryAdd(task, 0);

    public void Ended(string task)
    {
        _held.TryRemove(task, out _);
        if (_tasks.TryRemove(task, out _))
        {
            SignalIfIdle();
        }
    }

    /// <summary>Marks <paramref name="task"/> as only waiting (paused or delayed, nothing running) or as active again.</summary>
    public void SetHeld(string task, bool held)
    {
        if (!held)
        {
            _held.TryRemove(task, out _);
            return;
        }

        _held.TryAdd(task, 0);
        SignalIfIdle();
    }

    /// <summary>Unfinished tasks that are not merely held.</summary>
    public int Active => _tasks.Keys.Count(t => !_held.ContainsKey(t));

    /// <summary>Completes when every unfinished task is held (or none is left), or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        while (Active > 0 && !cancellationToken.IsCancellationRequested)
        {
            var idle = Volatile.Read(ref _idle).Task;
            if (Active == 0)
            {
                break;
            }

            await Task.WhenAny(idle, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken)).ConfigureAwait(false);
        }
    }

    private void SignalIfIdle()
    {
        if (Active == 0)
        {
            Interlocked.Exchange(ref _idle, NewIdle()).TrySetResult();
        }
    }

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
