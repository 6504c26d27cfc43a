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
    private readonly WorkspaceFiles _files;

    public NodeGrain(ProcessSupervisor supervisor, EngineOptions options, ExpirySweep expiry)
    {
        _supervisor = supervisor;
        _options = options;
        _expiry = expiry;
        _files = new WorkspaceFiles(options);
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

    public Task<IReadOnlyDictionary<string, string>?> GetLabels()
    {
        LeaveIfMisplaced();
        return Task.FromResult(OnItsNode ? _options.Labels : null);
    }

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

    public Task<WorkspaceListing> ListWorkspace(string taskId, string path, int max) =>
        OnNode(() => _files.List(taskId, path, max), gone => new WorkspaceListing(gone, []));

    public Task<WorkspaceReply> StatWorkspaceFile(string taskId, string path) => OnNode(() => _files.Stat(taskId, path), gone => gone);

    public Task<byte[]> ReadWorkspaceChunk(string taskId, string path, long offset, int count)
    {
        LeaveIfMisplaced();
        return OnItsNode ? _files.ReadAsync(taskId, path, offset, count) : throw new InvalidOperationException(Gone.Message);
    }

    public Task<WorkspaceReply> BeginUpload(string taskId, string path) => OnNode(() => _files.BeginUpload(taskId, path), gone => gone);

    public Task WriteUploadChunk(string upload, long offset, byte[] chunk)
    {
        LeaveIfMisplaced();
        return OnItsNode ? _files.WriteChunkAsync(upload, offset, chunk) : throw new InvalidOperationException(Gone.Message);
    }

    public Task<WorkspaceReply> CommitUpload(string taskId, string upload, string path) => OnNode(() => _files.CommitUpload(taskId, upload, path), gone => gone);

    public Task AbortUpload(string upload) => OnNode(() =>
    {
        _files.Abort(upload);
        return true;
    }, _ => false);

    public Task<WorkspaceReply> DeleteWorkspacePath(string taskId, string path) => OnNode(() => _files.Delete(taskId, path), gone => gone);

    private WorkspaceReply Gone => new(WorkspaceProblem.NodeGone, $"node {Node} is not in the cluster: its files are out of reach");

    /// <summary>File work runs off the grain's turn (a big folder must not hold up pool reads); a gone node has no files.</summary>
    private Task<T> OnNode<T>(Func<T> work, Func<WorkspaceReply, T> gone)
    {
        LeaveIfMisplaced();
        return OnItsNode ? Task.Run(work) : Task.FromResult(gone(Gone));
    }

    public Task CleanTask(string taskId, bool workspace)
    {
        LeaveIfMisplaced();
        return CleanFiles(taskId, workspace);
    }

    private Task CleanFiles(string taskId, bool workspace) =>
        // The files of a gone node went with it. Off the grain's turn: a big workspace must not hold up pool reads.
        !OnItsNode ? Task.CompletedTask : Task.Run(() => _supervisor.Folders.Clean(taskId, workspace));
}
