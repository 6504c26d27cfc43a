namespace RemoteExecutor.Grains.Execution;

/// <summary>How one command type is run: candidate executables (first found wins), leading arguments, script extension.</summary>
public sealed record Interpreter(string Name, IReadOnlyList<string> Executables, IReadOnlyList<string> Arguments, string Extension)
{
    private static readonly Dictionary<string, string> Resolved = new(StringComparer.Ordinal);

    /// <summary>Full path of the first executable found on PATH, or null when none is installed.</summary>
    public string? Resolve()
    {
        lock (Resolved)
        {
            foreach (var exe in Executables)
            {
                if (!Resolved.TryGetValue(exe, out var path))
                {
                    path = FindOnPath(exe);
                    if (path is not null)
                    {
                        Resolved[exe] = path;
                    }
                }

                if (path is not null)
                {
                    return path;
                }
            }
        }

        return null;
    }

    private static string? FindOnPath(string exe)
    {
        var names = OperatingSystem.IsWindows() ? new[] { exe + ".exe", exe + ".cmd", exe } : [exe];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
