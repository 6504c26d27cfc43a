using RemoteExecutor.Api.Follow;
using RemoteExecutor.Grains.Interfaces;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Unit;

public sealed class ConsoleFollowerTests
{
    private static readonly FollowTiming Timing = FollowTiming.Default with { PageSize = 100 };

    [Fact]
    public async Task FollowAsync_FinishedStep_SendsEveryStoredLineInPagesThenEnd()
    {
        var store = new Store();
        store.Commit(1, 250);
        store.Finish(ExecState.Stop, 3);

        var events = await Collect(store, 1);

        Assert.All(events.Where(e => e.Kind == FollowEventKind.Lines), e => Assert.InRange(e.Lines.Count, 1, Timing.PageSize));
        Assert.Equal(Enumerable.Range(1, 250).Select(n => (long)n), LineNumbers(events));
        Assert.Equal(new StepEnd(0, 3, "exit code: 3"), events[^1].End);
        Assert.Equal(FollowEventKind.End, events[^1].Kind);
    }

    [Fact]
    public async Task FollowAsync_FromLine_StartsThere()
    {
        var store = new Store();
        store.Commit(1, 20);
        store.Finish(ExecState.Stop, 0);

        var events = await Collect(store, 16);

        Assert.Equal([16L, 17L, 18L, 19L, 20L], LineNumbers(events));
        Assert.Equal("success", events[^1].End!.Msg);
    }

    [Fact]
    public async Task FollowAsync_LinesCommittedOutOfOrderWhileRunning_WaitsForTheHoleAndLosesNothing()
    {
        var store = new Store();
        store.Commit(1, 2);
        store.Commit(5, 2);

        // Lines 3-4 are committed (after 5-6) only on the third look; the step ends on the sixth.
        store.OnRead = reads =>
        {
            if (reads == 3)
            {
                store.Commit(3, 2);
            }

            if (reads == 5)
            {
                store.Commit(7, 1);
                store.Finish(ExecState.Stop, 0);
            }
        };

        var events = await Collect(store, 1);

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L], LineNumbers(events));
        Assert.Equal(FollowEventKind.End, events[^1].Kind);
    }

    [Fact]
    public async Task FollowAsync_HoleLeftWhenFinal_IsSkippedNotWaitedFor()
    {
        var store = new Store();
        store.Commit(1, 2);
        store.Commit(5, 1);
        store.Finish(ExecState.Killed, 255, "killed by the API");

        var events = await Collect(store, 1);

        Assert.Equal([1L, 2L, 5L], LineNumbers(events));
        Assert.Equal(new StepEnd((int)ExecState.Killed, 255, "killed by the API"), events[^1].End);
    }

    [Fact]
    public async Task FollowAsync_QuietStep_SendsAKeepAliveAbout15SecondsAfterTheLastLine()
    {
        var store = new Store();
        store.Commit(1, 1);
        var clock = new SteppingClock();
        store.OnRead = _ =>
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20))
            {
                store.Finish(ExecState.Stop, 0);
            }
        };

        var events = new List<(FollowEvent Event, TimeSpan At)>();
        await foreach (var e in new ConsoleFollower(store.ReadPage, store.ReadStep, Timing, clock).FollowAsync(1))
        {
            events.Add((e, clock.Elapsed));
        }

        Assert.Equal([FollowEventKind.Lines, FollowEventKind.KeepAlive, FollowEventKind.End], events.Select(e => e.Event.Kind));
        Assert.InRange(events[1].At, Timing.KeepAlive, Timing.KeepAlive + Timing.IdlePoll);
    }

    [Fact]
    public async Task FollowAsync_SlowConsumer_IsNeverReadAheadOfMoreThanOnePage()
    {
        var store = new Store();
        store.Commit(1, 1000);
        store.Finish(ExecState.Stop, 0);
        var follower = new ConsoleFollower(store.ReadPage, store.ReadStep, Timing, new SteppingClock());

        await using var events = follower.FollowAsync(1).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());
        var readsAfterFirstPage = store.Reads;
        await Task.Yield();

        Assert.Equal(1, readsAfterFirstPage);
        Assert.Equal(1, store.Reads);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task FollowAsync_TaskGone_StopsWithoutEnd()
    {
        var store = new Store();
        store.Commit(1, 3);
        store.Gone = true;

        var events = await Collect(store, 1);

        Assert.Equal([1L, 2L, 3L], LineNumbers(events));
        Assert.DoesNotContain(events, e => e.Kind == FollowEventKind.End);
    }

    [Fact]
    public async Task FollowAsync_SkippedStep_EndsAtOnceWithItsState()
    {
        var store = new Store();
        store.Finish(ExecState.Skipped, 0, "dependency a failed");

        var events = await Collect(store, 1);

        Assert.Equal(FollowEventKind.End, Assert.Single(events).Kind);
        Assert.Equal(new StepEnd((int)ExecState.Skipped, 0, "dependency a failed"), events[0].End);
    }

    private static async Task<List<FollowEvent>> Collect(Store store, long from)
    {
        var events = new List<FollowEvent>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var e in new ConsoleFollower(store.ReadPage, store.ReadStep, Timing, new SteppingClock()).FollowAsync(from, deadline.Token))
        {
            events.Add(e);
        }

        return events;
    }

    private static List<long> LineNumbers(List<FollowEvent> events) => [.. events.SelectMany(e => e.Lines).Select(l => l.Line)];

    /// <summary>A console store and step state that tests move forward by hand.</summary>
    private sealed class Store
    {
        private readonly SortedDictionary<long, ConsoleLine> _lines = [];
        private StepView _step = new() { Spec = new StepSpec { Name = "s", CommandType = "bash", CommandContent = "true" }, State = ExecState.Running };

        public int Reads { get; private set; }

        public bool Gone { get; set; }

        public Action<int>? OnRead { get; set; }

        public void Commit(long first, int count)
        {
            for (var n = first; n < first + count; n++)
            {
                _lines[n] = new ConsoleLine(n, n * 1000, $"line {n}");
            }
        }

        public void Finish(ExecState state, int code, string message = "") => _step = _step with { State = state, Code = code, Message = message };

        public Task<IReadOnlyList<ConsoleLine>> ReadPage(long from, int limit)
        {
            Reads++;
            OnRead?.Invoke(Reads);
            return Task.FromResult<IReadOnlyList<ConsoleLine>>([.. _lines.Values.Where(l => l.Line >= from).Take(limit)]);
        }

        public Task<StepView?> ReadStep() => Task.FromResult(Gone ? null : _step);
    }
}
