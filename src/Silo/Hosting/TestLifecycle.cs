using Orleans.Configuration;
using RemoteExecutor.Api.Follow;
using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// Test-only switches, read from the environment; NOT for production. They let the end-to-end tests make grains
/// deactivate within seconds (the default collection age is 15 minutes), so every path of a long run is exercised
/// on its recovered state.
/// <list type="bullet">
/// <item><c>REMOTE_EXECUTOR_TEST_COLLECTION_AGE</c> (a duration, e.g. <c>5s</c>): <c>GrainCollectionOptions.CollectionAge</c>,
/// with a <c>CollectionQuantum</c> of a fifth of it (Orleans requires the age to exceed the quantum), and a 1 s
/// deadline-reminder grace.</item>
/// <item><c>REMOTE_EXECUTOR_TEST_NO_KEEPALIVE=1</c>: live runs do not keep their task and step grains activated.</item>
/// <item><c>REMOTE_EXECUTOR_TEST_STALL_CUTOFF</c> (a duration, e.g. <c>3s</c>): how long a console or event stream
/// client may take to accept one batch before it is disconnected (default 30 s), so the stalled-reader test runs in
/// seconds.</item>
/// <item><c>REMOTE_EXECUTOR_TEST_IO_HOLD_FILE</c> (a path): while that file exists, every grain-state write waits on the
/// SQLite writer thread, as on a stalled disk, so a test can show that the API and unrelated grains still answer.</item>
/// </list>
/// </summary>
public static class TestLifecycle
{
    public const string CollectionAgeVariable = "REMOTE_EXECUTOR_TEST_COLLECTION_AGE";

    public const string NoKeepAliveVariable = "REMOTE_EXECUTOR_TEST_NO_KEEPALIVE";

    public const string StallCutOffVariable = "REMOTE_EXECUTOR_TEST_STALL_CUTOFF";

    public const string IoHoldVariable = "REMOTE_EXECUTOR_TEST_IO_HOLD_FILE";

    /// <summary>The hold of <see cref="IoHoldVariable"/>: true while its file exists; null when the variable is not set.</summary>
    public static Func<bool>? IoHold()
    {
        if (Environment.GetEnvironmentVariable(IoHoldVariable) is not { Length: > 0 } path)
        {
            return null;
        }

        Serilog.Log.Warning("TEST MODE: grain-state writes wait while {Path} exists ({Variable}); not for production", path, IoHoldVariable);
        return () => File.Exists(path);
    }

    /// <summary>The timing of live streams: the default, or with the stall cut-off of <see cref="StallCutOffVariable"/>.</summary>
    public static FollowTiming StreamTiming()
    {
        if (GoDuration.TryParse(Environment.GetEnvironmentVariable(StallCutOffVariable), out var cutOff, out _) && cutOff > TimeSpan.Zero)
        {
            Serilog.Log.Warning("TEST MODE: stalled stream readers are cut off after {CutOff} ({Variable}); not for production", cutOff, StallCutOffVariable);
            return FollowTiming.Default with { StallCutOff = cutOff };
        }

        return FollowTiming.Default;
    }

    public static void Apply(ISiloBuilder silo, EngineOptions engine)
    {
        if (GoDuration.TryParse(Environment.GetEnvironmentVariable(CollectionAgeVariable), out var age, out _) && age > TimeSpan.Zero)
        {
            silo.Configure<GrainCollectionOptions>(o =>
            {
                o.CollectionQuantum = TimeSpan.FromTicks(Math.Max(age.Ticks / 5, TimeSpan.TicksPerMillisecond * 100));
                o.CollectionAge = age;
            });
            engine.DeadlineGrace = TimeSpan.FromSeconds(1);
            Serilog.Log.Warning("TEST MODE: grains are collected after {Age} idle ({Variable}); not for production", age, CollectionAgeVariable);
        }

        if (Environment.GetEnvironmentVariable(NoKeepAliveVariable) == "1")
        {
            engine.KeepRunsAlive = false;
            Serilog.Log.Warning("TEST MODE: live runs do not keep their grains activated ({Variable}); not for production", NoKeepAliveVariable);
        }
    }
}
