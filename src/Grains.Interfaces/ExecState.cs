namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Task and step states; the numbers are part of the HTTP contract.</summary>
public enum ExecState
{
    /// <summary>Finished; the code tells success or failure.</summary>
    Stop = 0,
    Running = 1,
    Pending = 2,
    Paused = 3,
    /// <summary>Never ran because a dependency failed, was killed or timed out, or the task ended first.</summary>
    Skipped = 4,
    Killed = -255,
    Timeout = -256,
    SystemError = -999,
}
