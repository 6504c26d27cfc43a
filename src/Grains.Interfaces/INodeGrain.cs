namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Node-local operations (key = node name; placed on that node's silo).</summary>
[Alias("re.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    [Alias("GetPool")]
    Task<PoolInfo> GetPool();

    [Alias("ResizePool")]
    Task<PoolInfo> ResizePool(int size);

    /// <summary>The files of a task's workspace (relative paths); null when it has none.</summary>
    [Alias("ListWorkspace")]
    Task<IReadOnlyList<WorkspaceEntry>?> ListWorkspace(string taskId, int max);

    /// <summary>Registers (or updates) the node's expiry reminder, whose ticks sweep the node's expired tasks.</summary>
    [Alias("ScheduleExpiry")]
    Task ScheduleExpiry();

    /// <summary>Removes a task's script dir (and its workspace when <paramref name="workspace"/>).</summary>
    [Alias("CleanTask")]
    Task CleanTask(string taskId, bool workspace);
}
