namespace RemoteExecutor.Plugins;

/// <summary>How a step run ended: its exit code (0 = success) and a message shown with a failure.</summary>
/// <param name="ExitCode">The step's code: 0 succeeds, anything else fails the step (and its dependants).</param>
/// <param name="Message">Why it failed; empty for a success.</param>
public sealed record StepResult(int ExitCode, string Message = "")
{
    /// <summary>Success.</summary>
    public static StepResult Success { get; } = new(0);
}
