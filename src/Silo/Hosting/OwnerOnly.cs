using System.Runtime.InteropServices;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// Keeps the service's files to its own user: umask 077 for everything the process creates (database, WAL,
/// logs, scripts, workspaces), and the root tree tightened at start in case an older version left it open.
/// Steps get their usual umask (022) from the thread that spawns them, or from their shell wrapper where that is used.
/// </summary>
public static partial class OwnerOnly
{
    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The directories under the root the service owns.</summary>
    public static readonly IReadOnlyList<string> Dirs = ["data", "logs", "workspace", "scripts"];

    /// <summary>Sets the process umask to 077 (no-op on Windows).</summary>
    public static void RestrictUmask()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = umask(0x3F);
        }
    }

    /// <summary>Creates the root and its directories 0700 and tightens what an earlier run left (data and log files 0600).</summary>
    public static void PrepareRoot(string root)
    {
        Directory.CreateDirectory(root);
        foreach (var dir in Dirs)
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(root, DirMode);
        foreach (var dir in Dirs)
        {
            File.SetUnixFileMode(Path.Combine(root, dir), DirMode);
        }

        foreach (var dir in new[] { "data", "logs" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, dir)))
            {
                File.SetUnixFileMode(file, FileMode);
            }
        }
    }

    /// <summary>Writes a whole file created owner-only (0600 on Unix), replacing what was there.</summary>
    public static void WriteFile(string path, string text)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint umask(uint mask);
}
