namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Per-silo gate to the process supervisor. Always called with <see cref="Key"/>; activations are local.</summary>
[Alias("re.IExecutorGrain")]
public interface IExecutorGrain : IGrainWithIntegerKey
{
    /// <summary>The one key every caller uses.</summary>
    public const long Key = 0;

    /// <summary>Queues a process start; returns as soon as it is accepted.</summary>
    [Alias("Start")]
    Task Start(ExecutionRequest request);

    /// <summary>Kills a running or queued execution. False when this node does not know it.</summary>
    [Alias("Kill")]
    Task<bool> Kill(Guid run, string step, ExecState reason, string message);

    /// <summary>Whether the execution is queued or running here, was lost in a restart, or is unknown.</summary>
    [Alias("GetStatus")]
    Task<ExecutionStatus> GetStatus(Guid run, string step);
}
