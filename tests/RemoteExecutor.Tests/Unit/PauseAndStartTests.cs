using RemoteExecutor.Grains;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

/// <summary>The pure parts of pausing and delayed starts: the pause book and the start time of run_at/delay.</summary>
public sealed class PauseAndStartTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan KeyExpire = TimeSpan.FromHours(48);

    [Fact]
    public void PauseBook_HoldsExpireInOrder_AndTheNextDueFollows()
    {
        var holds = new List<PauseHold>();
        PauseBook.Hold(holds, null, Now.AddMinutes(5));
        PauseBook.Hold(holds, "b", Now.AddMinutes(1));
        PauseBook.Hold(holds, "c", null);
        Assert.True(PauseBook.TaskHeld(holds));
        Assert.Equal(Now.AddMinutes(1), PauseBook.NextDue(holds));

        Assert.Empty(PauseBook.Expire(holds, Now));
        Assert.Equal(["b"], PauseBook.Expire(holds, Now.AddMinutes(1)).Select(h => h.Step));
        Assert.Equal(Now.AddMinutes(5), PauseBook.NextDue(holds));
        Assert.Equal([null], PauseBook.Expire(holds, Now.AddMinutes(6)).Select(h => h.Step));
        Assert.False(PauseBook.TaskHeld(holds));
        Assert.Null(PauseBook.NextDue(holds));
        Assert.Single(holds);
    }

    [Fact]
    public void PauseBook_SecondPause_ReplacesTheEnd_AndReleaseSaysWhetherItWasHeld()
    {
        var holds = new List<PauseHold>();
        PauseBook.Hold(holds, null, Now.AddMinutes(5));
        PauseBook.Hold(holds, null, null);
        Assert.Single(holds);
        Assert.Null(PauseBook.NextDue(holds));
        Assert.True(PauseBook.Release(holds, null));
        Assert.False(PauseBook.Release(holds, null));
        Assert.Contains("until 2026-11-28T12:05:00Z", PauseBook.UntilText(Now.AddMinutes(5)), StringComparison.Ordinal);
    }

    [Fact]
    public void StartTime_Delay_StartsThatLongAfterNow() =>
        Assert.Equal((Now.AddSeconds(3), (string?)null), StartTime.Resolve(null, TimeSpan.FromSeconds(3), Now, KeyExpire));

    [Fact]
    public void StartTime_NothingOrAPastTime_StartsAtOnce()
    {
        Assert.Equal(((DateTimeOffset?)null, (string?)null), StartTime.Resolve(null, null, Now, KeyExpire));
        Assert.Equal(((DateTimeOffset?)null, (string?)null), StartTime.Resolve(Now.AddMinutes(-1), null, Now, KeyExpire));
        Assert.Equal(((DateTimeOffset?)null, (string?)null), StartTime.Resolve(null, TimeSpan.Zero, Now, KeyExpire));
    }

    [Theory]
    [InlineData(true, true, "run_at and delay")]
    [InlineData(false, true, "delay must not be negative")]
    public void StartTime_BadCombination_NamesTheField(bool withRunAt, bool negative, string expected)
    {
        var (start, error) = StartTime.Resolve(withRunAt ? Now.AddMinutes(1) : null, negative ? TimeSpan.FromSeconds(-1) : TimeSpan.FromSeconds(1), Now, KeyExpire);
        Assert.Null(start);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void StartTime_BeyondKeyExpire_NamesTheFieldAndTheLimit()
    {
        var (_, runAtError) = StartTime.Resolve(Now.AddHours(49), null, Now, KeyExpire);
        Assert.StartsWith("run_at:", runAtError, StringComparison.Ordinal);
        Assert.Contains("--key_expire (48h0m0s)", runAtError, StringComparison.Ordinal);
        var (_, delayError) = StartTime.Resolve(null, TimeSpan.FromHours(49), Now, KeyExpire);
        Assert.StartsWith("delay:", delayError, StringComparison.Ordinal);
        Assert.Equal((Now.AddHours(48), (string?)null), StartTime.Resolve(null, KeyExpire, Now, KeyExpire));
    }

    [Theory]
    [InlineData("2026-12-01T08:00:00Z", true)]
    [InlineData("2026-12-01T09:00:00+01:00", true)]
    [InlineData("2026-12-01T08:00:00.5Z", true)]
    [InlineData("2026-12-01T08:00:00", false)]
    [InlineData("2026-12-01", false)]
    [InlineData("tomorrow", false)]
    public void Rfc3339_NeedsADateTimeAndAZone(string text, bool ok)
    {
        Assert.Equal(ok, Rfc3339.TryParse(text, out var value));
        if (ok)
        {
            Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), value.AddTicks(-(value.Ticks % TimeSpan.TicksPerSecond)));
        }
    }
}
