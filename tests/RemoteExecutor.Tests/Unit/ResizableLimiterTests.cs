using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Tests.Unit;

public sealed class ResizableLimiterTests
{
    [Fact]
    public async Task AcquireAsync_Waiters_AreServedInArrivalOrder()
    {
        var pool = new ResizableLimiter(1);
        await pool.AcquireAsync(CancellationToken.None);
        var first = pool.AcquireAsync(CancellationToken.None);
        var second = pool.AcquireAsync(CancellationToken.None);
        var third = pool.AcquireAsync(CancellationToken.None);
        Assert.False(first.IsCompleted);
        Assert.Equal(new(1, 4, 1, 3), pool.Snapshot());

        pool.Release();
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        pool.Release();
        await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(third.IsCompleted);

        pool.Release();
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new(1, 4, 1, 0), pool.Snapshot());
    }

    [Fact]
    public async Task AcquireAsync_NewcomerWhileOthersWait_QueuesBehindThem()
    {
        var pool = new ResizableLimiter(2);
        await pool.AcquireAsync(CancellationToken.None);
        await pool.AcquireAsync(CancellationToken.None);
        var waiter = pool.AcquireAsync(CancellationToken.None);
        pool.Resize(3);
        await waiter.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, pool.Snapshot().Running);
    }

    [Fact]
    public async Task Resize_Grow_StartsWaitersAtOnce()
    {
        var pool = new ResizableLimiter(1);
        await pool.AcquireAsync(CancellationToken.None);
        var a = pool.AcquireAsync(CancellationToken.None);
        var b = pool.AcquireAsync(CancellationToken.None);
        var c = pool.AcquireAsync(CancellationToken.None);

        pool.Resize(3);
        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(c.IsCompleted);
        Assert.Equal(new(3, 4, 3, 1), pool.Snapshot());
    }

    [Fact]
    public async Task Resize_Shrink_KeepsHoldersAndMakesNewcomersWaitUntilBelowTheNewSize()
    {
        var pool = new ResizableLimiter(3);
        await pool.AcquireAsync(CancellationToken.None);
        await pool.AcquireAsync(CancellationToken.None);
        await pool.AcquireAsync(CancellationToken.None);

        pool.Resize(1);
        Assert.Equal(new(1, 3, 3, 0), pool.Snapshot());
        var waiter = pool.AcquireAsync(CancellationToken.None);

        pool.Release();
        Assert.False(waiter.IsCompleted);
        pool.Release();
        Assert.False(waiter.IsCompleted);
        pool.Release();
        await waiter.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, pool.Snapshot().Running);
    }

    [Fact]
    public async Task AcquireAsync_CancelledWaiter_LeavesTheQueueWithoutTakingASlot()
    {
        var pool = new ResizableLimiter(1);
        await pool.AcquireAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = pool.AcquireAsync(cancel.Token);
        var next = pool.AcquireAsync(CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, pool.Snapshot().Waiting);

        pool.Release();
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(new(1, 3, 1, 0), pool.Snapshot());
    }

    [Fact]
    public void Constructor_SizeBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResizableLimiter(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResizableLimiter(1).Resize(0));
    }
}
