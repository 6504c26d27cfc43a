using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;

namespace RemoteExecutor.Grains;

/// <summary>Node-local operations, placed on the silo of the node named by its key.</summary>
[NodePlacement, GrainType(NodePlacement.NodeGrainType), Reentrant]
public sealed class NodeGrain : Grain, INodeGrain
{
    private readonly ProcessSupervisor _supervisor;
    private readonly EngineOptions _options;

    public NodeGrain(ProcessSupervisor supervisor, EngineOptions options)
    {
        _supervisor = supervisor;
        _options = options;
    }

    public Task<PoolInfo> GetPool() => Task.FromResult(_supervisor.Pool.Snapshot());

    public Task<PoolInfo> ResizePool(int size)
    {
        _supervisor.Pool.Resize(size);
        return Task.FromResult(_supervisor.Pool.Snapshot());
    }

    public Task<IReadOnlyList<WorkspaceEntry>?> ListWorkspace(string taskId, int max) => Task.Run<IReadOnlyList<WorkspaceEntry>?>(() => List(taskId, max));

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

    public Task CleanTask(string taskId, bool workspace) =>
        // Off the grain's turn: deleting a big workspace must not hold up pool reads or other tasks.
        Task.Run(() =>
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
