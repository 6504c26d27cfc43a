using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>How a followed task (or step) ended.</summary>
/// <param name="Succeeded">The envelope said success (code 0).</param>
/// <param name="Code">The exit code: the sum of the steps' codes (or the step's own).</param>
/// <param name="State">The final state's name (<c>Stop</c>, <c>Killed</c>, ...).</param>
/// <param name="Message">The envelope's message (names the failed steps).</param>
/// <param name="Steps">The steps as last read.</param>
public sealed record FollowOutcome(bool Succeeded, long Code, string State, string Message, IReadOnlyList<StepDetail> Steps)
{
    /// <summary>The process exit code for this outcome.</summary>
    public int ExitCode => ExitCodes.ForOutcome(Succeeded, Code);
}
