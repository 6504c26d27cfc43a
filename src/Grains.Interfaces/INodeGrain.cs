namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Node-local operations (key = node name; placed on that node's silo).</summary>
[Alias("re.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    [Alias("GetPool")]
    Task<PoolInfo> GetPool();

    /// <summary>The node's labels (<c>--label</c>); null when asked of a node that has left the cluster.</summary>
    [Alias("GetLabels")]
    Task<IReadOnlyDictionary<string, string>?> GetLabels();

    [Alias("ResizePool")]
    Task<PoolInfo> ResizePool(int size);

    /// <summary>
    /// The files and folders below <paramref name="path"/> (empty = the whole workspace), recursively, at most
    /// <paramref name="max"/>; their paths are relative to the workspace root.
    /// </summary>
    [Alias("ListWorkspace")]
    Task<WorkspaceListing> ListWorkspace(string taskId, string path, int max);

    /// <summary>Size and time of the file at <paramref name="path"/> (a download's first call).</summary>
    [Alias("StatWorkspaceFile")]
    Task<WorkspaceReply> StatWorkspaceFile(string taskId, string path);

    /// <summary>
    /// Up to <paramref name="count"/> bytes of the file from <paramref name="offset"/> (fewer only at its end). Files
    /// travel in chunks: a grain call is no place for a gigabyte.
    /// </summary>
    [Alias("ReadWorkspaceChunk")]
    Task<byte[]> ReadWorkspaceChunk(string taskId, string path, long offset, int count);

    /// <summary>Checks the upload target and opens a temporary file for it; the reply names the upload.</summary>
    [Alias("BeginUpload")]
    Task<WorkspaceReply> BeginUpload(string taskId, string path);

    /// <summary>Appends a chunk to the upload's temporary file at <paramref name="offset"/> (its length so far).</summary>
    [Alias("WriteUploadChunk")]
    Task WriteUploadChunk(string upload, long offset, byte[] chunk);

    /// <summary>Moves the complete upload into place at <paramref name="path"/> (folders created, a file there replaced).</summary>
    [Alias("CommitUpload")]
    Task<WorkspaceReply> CommitUpload(string taskId, string upload, string path);

    /// <summary>Drops an unfinished upload's temporary file.</summary>
    [Alias("AbortUpload")]
    Task AbortUpload(string upload);

    /// <summary>Removes the file or folder (with its contents) at <paramref name="path"/>; a link is removed, not followed.</summary>
    [Alias("DeleteWorkspacePath")]
    Task<WorkspaceReply> DeleteWorkspacePath(string taskId, string path);

    /// <summary>Registers (or updates) the node's expiry reminder, whose ticks sweep the node's expired tasks.</summary>
    [Alias("ScheduleExpiry")]
    Task ScheduleExpiry();

    /// <summary>Removes a task's script dir (and its workspace when <paramref name="workspace"/>).</summary>
    [Alias("CleanTask")]
    Task CleanTask(string taskId, bool workspace);
}
