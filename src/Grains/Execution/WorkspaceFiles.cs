namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// A task's workspace files on this node: list, stat, read in chunks, upload through a temporary file, delete.
/// Every path goes through <see cref="WorkspacePath"/> right before the file system is touched.
/// Uploads are written to <c>&lt;root&gt;/uploads/&lt;id&gt;.part</c> and moved into place only when complete,
/// so a refused or broken upload leaves nothing in the workspace.
/// </summary>
public sealed class WorkspaceFiles
{
    /// <summary>Unfinished uploads older than this are swept when the next one begins (their client went away).</summary>
    private static readonly TimeSpan StaleUpload = TimeSpan.FromDays(1);

    private readonly EngineOptions _options;

    public WorkspaceFiles(EngineOptions options) => _options = options;

    private string UploadDir => Path.Combine(_options.Root, "uploads");

    public WorkspaceListing List(string taskId, string path, int max)
    {
        var (reply, full, segments) = Locate(taskId, path);
        if (!reply.IsDone)
        {
            return new WorkspaceListing(reply, []);
        }

        var folder = new DirectoryInfo(full!);
        if (!folder.Exists)
        {
            return new WorkspaceListing(File.Exists(full) ? NotFolder(path) : NotFound(path), []);
        }

        var prefix = string.Join('/', segments);
        var entries = folder.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Take(max)
            .Select(e =>
            {
                var relative = Path.GetRelativePath(folder.FullName, e.FullName).Replace('\\', '/');
                return new WorkspaceEntry(prefix.Length == 0 ? relative : $"{prefix}/{relative}", e is DirectoryInfo, e is FileInfo f ? f.Length : 0, e.LastWriteTimeUtc);
            })
            .ToList();
        return new WorkspaceListing(WorkspaceReply.Done, entries);
    }

    public WorkspaceReply Stat(string taskId, string path)
    {
        var (reply, full, _) = Locate(taskId, path);
        if (!reply.IsDone)
        {
            return reply;
        }

        if (Directory.Exists(full))
        {
            return IsFolder(path);
        }

        var file = new FileInfo(full!);
        return file.Exists ? WorkspaceReply.Done with { Length = file.Length, Modified = file.LastWriteTimeUtc } : NotFound(path);
    }

    public async Task<byte[]> ReadAsync(string taskId, string path, long offset, int count)
    {
        var (reply, full, _) = Locate(taskId, path);
        if (!reply.IsDone)
        {
            throw new IOException(reply.Message);
        }

        await using var stream = new FileStream(full!, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous });
        stream.Position = Math.Min(offset, stream.Length);
        var buffer = new byte[(int)Math.Min(count, stream.Length - stream.Position)];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }

    public WorkspaceReply BeginUpload(string taskId, string path)
    {
        var (reply, full, segments) = Locate(taskId, path);
        if (!reply.IsDone)
        {
            return reply;
        }

        if (segments.Count == 0 || Directory.Exists(full))
        {
            return IsFolder(path);
        }

        Directory.CreateDirectory(UploadDir);
        SweepStaleUploads();
        var id = Guid.NewGuid().ToString("N");
        File.Create(UploadPath(id)).Dispose();
        return WorkspaceReply.Done with { Upload = id };
    }

    public async Task WriteChunkAsync(string upload, long offset, byte[] chunk)
    {
        await using var stream = new FileStream(UploadPath(upload), new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Write, Options = FileOptions.Asynchronous });
        if (stream.Length != offset)
        {
            throw new IOException($"upload {upload} has {stream.Length} bytes, the chunk starts at {offset}");
        }

        stream.Position = offset;
        await stream.WriteAsync(chunk);
    }

    public WorkspaceReply CommitUpload(string taskId, string upload, string path)
    {
        var temp = UploadPath(upload);
        try
        {
            // Located again: a step may have put a link on the way since the upload began.
            var (reply, full, _) = Locate(taskId, path);
            if (!reply.IsDone)
            {
                return reply;
            }

            if (Directory.Exists(full))
            {
                return IsFolder(path);
            }

            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.Move(temp, full!, overwrite: true);
            }
            catch (IOException) when (!Directory.Exists(Path.GetDirectoryName(full)))
            {
                return NotFolder(path);
            }

            return WorkspaceReply.Done;
        }
        finally
        {
            Abort(upload);
        }
    }

    public void Abort(string upload)
    {
        try
        {
            File.Delete(UploadPath(upload));
        }
        catch (IOException)
        {
            // Swept with the next upload.
        }
    }

    public WorkspaceReply Delete(string taskId, string path)
    {
        if (!WorkspacePath.TrySplit(path, out var segments, out var error))
        {
            return BadPath(error);
        }

        if (segments.Count == 0)
        {
            return BadPath("name a file or folder; the workspace itself goes with the task");
        }

        var root = _options.WorkspaceDir(taskId);
        if (!Directory.Exists(root))
        {
            return NoWorkspace(taskId);
        }

        if (WorkspacePath.ResolveParent(root, segments) is not { } full)
        {
            return BadPath("the path leads outside the workspace");
        }

        var info = new FileInfo(full);
        if (info.LinkTarget is not null || info.Exists)
        {
            // A link is removed itself: what it points to stays untouched.
            info.Delete();
            return WorkspaceReply.Done;
        }

        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
            return WorkspaceReply.Done;
        }

        return NotFound(path);
    }

    private (WorkspaceReply Reply, string? Full, IReadOnlyList<string> Segments) Locate(string taskId, string path)
    {
        if (!WorkspacePath.TrySplit(path, out var segments, out var error))
        {
            return (BadPath(error), null, segments);
        }

        var root = _options.WorkspaceDir(taskId);
        if (!Directory.Exists(root))
        {
            return (NoWorkspace(taskId), null, segments);
        }

        return WorkspacePath.Resolve(root, segments) is { } full
            ? (WorkspaceReply.Done, full, segments)
            : (BadPath("the path leads outside the workspace"), null, segments);
    }

    private string UploadPath(string upload) =>
        upload.Length == 32 && upload.All(char.IsAsciiHexDigitLower)
            ? Path.Combine(UploadDir, upload + ".part")
            : throw new ArgumentException("not an upload id", nameof(upload));

    private void SweepStaleUploads()
    {
        foreach (var part in new DirectoryInfo(UploadDir).EnumerateFiles("*.part"))
        {
            if (DateTime.UtcNow - part.LastWriteTimeUtc > StaleUpload)
            {
                try
                {
                    part.Delete();
                }
                catch (IOException)
                {
                    // Next time.
                }
            }
        }
    }

    private static WorkspaceReply BadPath(string why) => new(WorkspaceProblem.BadPath, why);

    private static WorkspaceReply NoWorkspace(string taskId) => new(WorkspaceProblem.NoWorkspace, $"task {taskId} has no workspace on its node");

    private static WorkspaceReply NotFound(string path) => new(WorkspaceProblem.NotFound, $"\"{path}\" is not in the workspace");

    private static WorkspaceReply IsFolder(string path) => new(WorkspaceProblem.IsFolder, $"\"{path}\" is a folder; list it with GET .../workspace?path=, or name a file");

    private static WorkspaceReply NotFolder(string path) => new(WorkspaceProblem.NotFolder, $"\"{path}\" is a file, or a file stands where a folder is needed");
}
