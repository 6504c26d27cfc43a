using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Grains;

/// <summary>
/// Node-local operations, placed on the silo of the node named by its key, and the node's expiry reminder.
/// Only when its node has left the cluster does it activate elsewhere: then it has no pool or files to offer,
/// and its reminder sweeps the gone node's finished tasks from a surviving node.
/// </summary>
[NodePlacement, GrainType(NodePlacement.NodeGrainType), Reentrant]
public sealed class NodeGrain : Grain, INodeGrain, IRemindable
{
    private readonly ProcessSupervisor _supervisor;
    private readonly EngineOptions _options;
    private readonly ExpirySweep _expiry;

    public NodeGrain(ProcessSupervisor supervisor, EngineOptions options, ExpirySweep expiry)
    {
        _supervisor = supervisor;
        _options = options;
        _expiry = expiry;
    }

    private string Node => this.GetPrimaryKeyString();

    /// <summary>Placed here only because its node was gone: never linger, so a rejoined node gets its grain back.</summary>
    private void LeaveIfMisplaced()
    {
        if (!OnItsNode)
        {
            DeactivateOnIdle();
        }
    }

    private bool OnItsNode => Node == _options.Node;

    public Task<PoolInfo> GetPool() => Task.FromResult(Pool().Snapshot());

    public Task<PoolInfo> ResizePool(int size)
    {
        Pool().Resize(size);
        return Task.FromResult(Pool().Snapshot());
    }

    private ResizableLimiter Pool()
    {
        LeaveIfMisplaced();
        return OnItsNode ? _supervisor.Pool : throw new InvalidOperationException($"node {Node} is not in the cluster");
    }

    public async Task ScheduleExpiry()
    {
        var period = ExpirySweep.Interval(_options.KeyExpire);
        await this.RegisterOrUpdateReminder(StorageNames.ExpiryReminder, period, period);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == StorageNames.ExpiryReminder)
        {
            _expiry.Trigger(Node);
        }

        LeaveIfMisplaced();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkspaceEntry>?> ListWorkspace(string taskId, int max)
    {
        LeaveIfMisplaced();
        return OnItsNode ? Task.Run<IReadOnlyList<WorkspaceEntry>?>(() => List(taskId, max)) : Task.FromResult<IReadOnlyList<WorkspaceEntry>?>(null);
    }

    private List<WorkspaceEntry>? List(string taskId, int max)
    {
        var root = new DirectoryInfo(_options.WorkspaceDir(taskId));
        if (!root.Exists)
        {
            return null;
        }

        var entries = root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Take(max)
            .Select(e => new WorkspaceEntry(
                Path.GetRelativePath(root.FullName, e.FullName).Replace('\\', '/'),
                e is DirectoryInfo,
                e is FileInfo f ? f.Length : 0,
                e.LastWriteTimeUtc))
            .ToList();
        return entries;
    }

    public Task CleanTask(string taskId, bool workspace)
    {
        LeaveIfMisplaced();
        return CleanFiles(taskId, workspace);
    }

    private Task CleanFiles(string taskId, bool workspace) =>
        // The files of a gone node went with it. Off the grain's turn: a big workspace must not hold up pool reads.
        !OnItsNode ? Task.CompletedTask : Task.Run(() =>
        {
            Delete(_options.ScriptDir(taskId));
            if (workspace)
            {
                Delete(_options.WorkspaceDir(taskId));
            }
        });

    private static void Delete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still in use (Windows) or vanished meanwhile: the next clean-up gets it.
        }
        catch (UnauthorizedAccessException)
        {
            // A step made a file we may not delete: leave it, never fail the task for it.
        }
    }
}
