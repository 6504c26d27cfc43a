namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>
/// A running step process, however it was started: its pid and process group, its output, its stdin, its end and
/// the kill of its whole tree. On Linux it is spawned directly (<see cref="DirectSpawner"/>); elsewhere, or when that
/// is unavailable, it is a <see cref="System.Diagnostics.Process"/> (<see cref="ProcessSpawner"/>).
/// </summary>
internal interface IStepProcess : IDisposable
{
    int Id { get; }

    /// <summary>The process group the step leads (its pid), or 0 where steps do not get their own group.</summary>
    int Group { get; }

    /// <summary>The streams its output comes on (one when stderr is joined to stdout, which keeps their order).</summary>
    IReadOnlyList<Stream> Outputs { get; }

    bool HasExited { get; }

    /// <summary>The exit code once it has exited; a signal <c>n</c> gives 128 + n.</summary>
    int ExitCode { get; }

    /// <summary>Gives the process <paramref name="input"/> on stdin (null: nothing), then closes it.</summary>
    Task WriteInputAsync(string? input);

    Task WaitForExitAsync(CancellationToken cancellationToken);

    /// <summary>SIGTERM to the group, <paramref name="grace"/>, SIGKILL; false when the process did not end even then.</summary>
    Task<bool> KillTreeAsync(TimeSpan grace);

    /// <summary>After the exit: kills what the step left running in its group.</summary>
    void EndGroup();

    /// <summary>Stops reading output a process outside the group still holds open.</summary>
    void CloseOutputs();
}
