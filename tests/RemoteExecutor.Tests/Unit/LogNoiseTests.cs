using RemoteExecutor.Silo.Hosting;

namespace RemoteExecutor.Tests.Unit;

public sealed class LogNoiseTests
{
    [Fact]
    public void ServerGcNote_IsNoise() =>
        Assert.True(LogNoise.IsNoise("Orleans.Runtime.Silo", "Note: Silo not running with ServerGC turned on - recommend checking app config", TimeSpan.FromMinutes(1)));

    [Fact]
    public void WatchdogDelayLongerThanTheProcessHasRun_IsNoise() =>
        Assert.True(LogNoise.IsNoise("Orleans.Runtime.Watchdog",
            "Participant check thread has not completed for 00:45:28.9660814, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.",
            TimeSpan.FromSeconds(5)));

    [Fact]
    public void RealWatchdogDelay_IsKept() =>
        Assert.False(LogNoise.IsNoise("Orleans.Runtime.Watchdog",
            "Participant check thread has not completed for 00:00:12.5000000, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.",
            TimeSpan.FromHours(3)));

    [Fact]
    public void ShortReminderMinimumNote_IsNoise() =>
        Assert.True(LogNoise.IsNoise("Orleans.Hosting.ReminderOptionsValidator",
            "ReminderOptions.MinimumReminderPeriod is 00:00:01 (default 1. High-Frequency reminders are unsuitable for production use.", TimeSpan.FromSeconds(2)));

    [Fact]
    public void OtherWarnings_AreKept() =>
        Assert.False(LogNoise.IsNoise("Orleans.Runtime.Silo", "Silo is shutting down", TimeSpan.FromHours(3)));
}
