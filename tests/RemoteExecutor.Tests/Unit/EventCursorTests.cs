using RemoteExecutor.Api.Follow;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Unit;

public sealed class EventCursorTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    [Fact]
    public void Take_IdCommittedAfterAHigherOne_IsHandedOutOnceWhenItAppears()
    {
        var log = new SortedSet<long>();
        var cursor = new EventCursor(0, Window, 100, new SteppingClock());
        var seen = new List<long>();

        // Node A draws 3, node B draws 4 and commits first.
        log.UnionWith([1, 2, 4]);
        seen.AddRange(Poll(cursor, log));
        seen.AddRange(Poll(cursor, log));
        log.Add(3);
        seen.AddRange(Poll(cursor, log));
        log.Add(5);
        seen.AddRange(Poll(cursor, log));
        seen.AddRange(Poll(cursor, log));

        Assert.Equal([1L, 2L, 4L, 3L, 5L], seen);
        Assert.Equal(5, cursor.HighWater);
        Assert.Equal(0, cursor.GapCount);
    }

    [Fact]
    public void Take_RowsReadTwice_AreHandedOutOnce()
    {
        var cursor = new EventCursor(10, Window, 100, new SteppingClock());

        Assert.Equal([11L, 13L], cursor.Take([11L, 13L], n => n));
        Assert.Empty(cursor.Take([11L, 13L], n => n));
        Assert.Equal([12L], cursor.Take([11L, 12L, 13L], n => n));
        Assert.Empty(cursor.Take([12L], n => n));
        Assert.Empty(cursor.Take([9L, 10L], n => n));
    }

    [Fact]
    public async Task Gaps_IdThatNeverCommits_IsForgottenAfterTheWindow()
    {
        var clock = new SteppingClock();
        var cursor = new EventCursor(0, Window, 100, clock);
        cursor.Take([1L, 4L], n => n);
        Assert.Equal([2L, 3L], cursor.Gaps(10));

        await Task.Delay(Window - TimeSpan.FromSeconds(1), clock);
        cursor.Take([6L], n => n);
        Assert.Equal([2L, 3L, 5L], cursor.Gaps(10));
        Assert.Equal([2L], cursor.Gaps(1));

        await Task.Delay(TimeSpan.FromSeconds(1), clock);
        Assert.Equal([5L], cursor.Gaps(10));
    }

    [Fact]
    public void Take_LongJump_RemembersOnlyTheNearestIdsUpToTheCap()
    {
        var cursor = new EventCursor(0, Window, 3, new SteppingClock());

        cursor.Take([1_000_000L], n => n);
        Assert.Equal([999_997L, 999_998L, 999_999L], cursor.Gaps(10));

        cursor.Take([1_000_002L], n => n);
        Assert.Equal([999_998L, 999_999L, 1_000_001L], cursor.Gaps(10));
        Assert.Equal(3, cursor.GapCount);
    }

    [Fact]
    public void Constructor_NegativeStart_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventCursor(-1, Window, 10, new SteppingClock()));

    // One round of the /api/v1/events loop over an in-memory log: the remembered gaps, then the page after the top.
    private static IReadOnlyList<long> Poll(EventCursor cursor, SortedSet<long> log)
    {
        var late = cursor.Gaps(200).Where(log.Contains);
        var page = log.Where(n => n > cursor.HighWater).Take(500).ToList();
        return cursor.Take(late.Concat(page), n => n);
    }
}
