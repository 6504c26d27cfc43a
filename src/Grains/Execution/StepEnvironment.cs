namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The environment a step process gets: the host's, minus the service's own variables (its credentials and
/// settings), then the task's and the step's <c>env_vars</c>, then the <c>TASK_*</c> variables.
/// </summary>
public static class StepEnvironment
{
    /// <summary>Every host variable whose name starts with this is the service's own and never reaches a step.</summary>
    public const string ServicePrefix = "REMOTE_EXECUTOR_";

    /// <summary>Other host variables that point at the service's secrets (systemd <c>LoadCredential=</c>).</summary>
    public static readonly IReadOnlyList<string> ServiceVariables = ["CREDENTIALS_DIRECTORY"];

    /// <summary>True for a host variable a step must not inherit.</summary>
    public static bool IsServiceVariable(string name) =>
        name.StartsWith(ServicePrefix, StringComparison.OrdinalIgnoreCase)
        || ServiceVariables.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Rewrites <paramref name="environment"/> (the inherited host environment) for one step. Entries the submitter
    /// gave explicitly apply even when their names look like the service's own.
    /// </summary>
    public static void Apply(IDictionary<string, string?> environment, IEnumerable<string> envEntries, IReadOnlyDictionary<string, string> taskVariables)
    {
        foreach (var name in environment.Keys.Where(IsServiceVariable).ToList())
        {
            environment.Remove(name);
        }

        foreach (var entry in envEntries)
        {
            if (EnvEntries.TryParse(entry, out var name, out var value, out _))
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in taskVariables)
        {
            environment[name] = value;
        }
    }
}
