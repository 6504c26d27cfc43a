namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Helpers over <see cref="ExecState"/>.</summary>
public static class ExecStates
{
    /// <summary>True when the state can no longer change within the current run.</summary>
    public static bool IsFinal(this ExecState state) =>
        state is ExecState.Stop or ExecState.Skipped or ExecState.Killed or ExecState.Timeout or ExecState.SystemError;

    /// <summary>The name sent in the <c>X-Task-STATE</c> header.</summary>
    public static string DisplayName(this ExecState state) => state switch
    {
        ExecState.Stop => "Stop",
        ExecState.Running => "Running",
        ExecState.Pending => "Pending",
        ExecState.Paused => "Paused",
        ExecState.Skipped => "Skipped",
        ExecState.Killed => "Killed",
        ExecState.Timeout => "Timeout",
        ExecState.SystemError => "System Error",
        _ => "Unknown",
    };
}
