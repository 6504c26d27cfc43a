namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// A FIFO async limiter whose size can change at any time. Growing starts waiters at once; shrinking never
/// touches holders: new ones wait until <c>running &lt; size</c>.
/// </summary>
public sealed class ResizableLimiter
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = new();
    private int _size;
    private int _running;
    private long _total;

    public ResizableLimiter(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = size;
    }

    public PoolInfo Snapshot()
    {
        lock (_gate)
        {
            return new PoolInfo(_size, _total, _running, _waiters.Count);
        }
    }

    /// <summary>Waits for a slot in arrival order. Release it exactly once with <see cref="Release"/>.</summary>
    public Task AcquireAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        LinkedListNode<TaskCompletionSource> node;
        lock (_gate)
        {
            _total++;
            if (_running < _size && _waiters.Count == 0)
            {
                _running++;
                return Task.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiters.AddLast(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (_gate)
                {
                    if (node.List is null)
                    {
                        return;
                    }

                    _waiters.Remove(node);
                }

                waiter.TrySetCanceled(cancellationToken);
            });
            _ = waiter.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return waiter.Task;
    }

    public void Release()
    {
        lock (_gate)
        {
            _running--;
            Pump();
        }
    }

    public void Resize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        lock (_gate)
        {
            _size = size;
            Pump();
        }
    }

    private void Pump()
    {
        while (_running < _size && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            _running++;
            first.Value.TrySetResult();
        }
    }
}
