namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// Notices when the SQLite file this server opened is deleted or replaced while it runs (open connections would
/// go on writing into the unlinked file and everything since would vanish at restart). Holds a handle on the
/// file from start; on Linux <c>/proc/self/fd</c> shows when that file is no longer the one at the path. Once lost,
/// it stays lost: a file put back later is not the one the running work wrote to.
/// </summary>
public sealed class DatabaseFileGuard
{
    private readonly string? _path;
    private readonly string? _fdLink;
    private readonly string? _openedAs;

    // Kept open for the life of the process and never closed: closing a descriptor of a SQLite file drops the
    // POSIX locks SQLite holds on it.
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? _handle;
    private volatile string? _lost;

    public DatabaseFileGuard(Database database)
    {
        _path = database.FilePath is { } p ? Path.GetFullPath(p) : null;
        if (_path is null)
        {
            return;
        }

        _handle = File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (OperatingSystem.IsLinux())
        {
            _fdLink = $"/proc/self/fd/{_handle.DangerousGetHandle().ToInt64()}";
            _openedAs = new FileInfo(_fdLink).LinkTarget;
        }
    }

    /// <summary>Null while the database file is the one opened at start; otherwise why it is not.</summary>
    public string? Problem()
    {
        if (_path is null || _lost is not null)
        {
            return _lost;
        }

        if (!File.Exists(_path))
        {
            _lost = $"the database file {_path} was deleted while the server runs: work since then cannot be stored; restore it from a backup or restart the server";
        }
        else if (_fdLink is not null && _openedAs is not null && new FileInfo(_fdLink).LinkTarget != _openedAs)
        {
            _lost = $"the database file {_path} was replaced while the server runs: work since then cannot be stored; restart the server";
        }

        return _lost;
    }
}
