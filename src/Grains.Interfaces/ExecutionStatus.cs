namespace RemoteExecutor.Grains.Interfaces;

/// <summary>What a node's executor knows of one step run.</summary>
public enum ExecutionStatus
{
    /// <summary>Never spawned here (or long done): a queued step that a restart dropped can be started again.</summary>
    Unknown = 0,
    /// <summary>Queued or running now.</summary>
    Active = 1,
    /// <summary>Its process was running when the previous run of this silo died: it may have had effects.</summary>
    Lost = 2,
}
