namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>
/// Chooses, once per process, how steps are started: <see cref="DirectSpawner"/> on Linux when the C library and
/// kernel allow it, otherwise (or with <c>REMOTE_EXECUTOR_SPAWN=process</c>) <see cref="ProcessSpawner"/>.
/// </summary>
internal static class StepSpawners
{
    /// <summary>Set to <c>process</c> to start steps through <c>setsid</c> and <c>sh</c> as before the direct spawn.</summary>
    public const string Variable = "REMOTE_EXECUTOR_SPAWN";

    private static readonly Lazy<(IStepSpawner Spawner, string Why)> Chosen = new(Choose);

    /// <summary>The spawner, and why it is not the direct one ("" when it is).</summary>
    public static (IStepSpawner Spawner, string Why) Current => Chosen.Value;

    private static (IStepSpawner, string) Choose()
    {
        if (OperatingSystem.IsWindows())
        {
            return (new ProcessSpawner(), "");
        }

        if (string.Equals(Environment.GetEnvironmentVariable(Variable), "process", StringComparison.OrdinalIgnoreCase))
        {
            return (new ProcessSpawner(), $"{Variable}=process");
        }

        return DirectSpawner.TryCreate(out var reason) is { } direct ? (direct, "") : (new ProcessSpawner(), reason);
    }
}
