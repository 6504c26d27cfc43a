namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Turns a path an API client names (relative, <c>/</c>-separated) into a real path inside one task's workspace,
/// with <c>realpath</c> semantics: every symbolic link on the way is followed, and the result must still lie inside
/// the workspace's own real path. <c>..</c>, absolute paths, drive letters and control characters are refused
/// before the file system is asked anything.
/// </summary>
public static class WorkspacePath
{
    /// <summary>Links followed in one resolution before it counts as a loop (Linux uses 40 as well).</summary>
    private const int MaxLinks = 40;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// Splits a client path into its segments; false (with the reason) for <c>..</c>, an absolute path, a drive or
    /// stream name, a backslash or a control character. Empty segments and <c>.</c> are dropped.
    /// </summary>
    public static bool TrySplit(string? relative, out IReadOnlyList<string> segments, out string error)
    {
        segments = [];
        error = "";
        var text = relative ?? "";
        if (text.StartsWith('/') || text.StartsWith('\\') || (text.Length >= 2 && text[1] == ':'))
        {
            error = "the path must be relative to the workspace (no leading / and no drive)";
            return false;
        }

        if (text.Any(c => char.IsControl(c) || c == '\\' || c == ':'))
        {
            error = "the path contains a character that is not allowed (\\, : or a control character)";
            return false;
        }

        var parts = text.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
        {
            error = "the path must not contain \"..\"";
            return false;
        }

        segments = parts;
        return true;
    }

    /// <summary>
    /// The real path <paramref name="segments"/> name under <paramref name="root"/>, or null when a link on the way
    /// leads outside the workspace. The last segments may be missing (a file about to be written).
    /// </summary>
    public static string? Resolve(string root, IReadOnlyList<string> segments)
    {
        var realRoot = RealPath(Path.GetFullPath(root));
        var real = RealPath(Path.Join([realRoot, .. segments]));
        return real is not null && realRoot is not null && IsInside(realRoot, real) ? real : null;
    }

    /// <summary>
    /// Like <see cref="Resolve"/>, but the last segment is not followed when it is a link: the path of the link itself
    /// (to remove it, never what it points to). Null when the folder holding it leads outside.
    /// </summary>
    public static string? ResolveParent(string root, IReadOnlyList<string> segments)
    {
        if (segments.Count == 0)
        {
            return Resolve(root, segments);
        }

        var parent = Resolve(root, segments.Take(segments.Count - 1).ToList());
        return parent is null ? null : Path.Join(parent, segments[^1]);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it (both real, absolute).</summary>
    public static bool IsInside(string root, string path)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(root);
        return path.Equals(trimmed, PathComparison)
            || (path.StartsWith(trimmed, PathComparison) && path.Length > trimmed.Length && path[trimmed.Length] == Path.DirectorySeparatorChar);
    }

    /// <summary>
    /// The path with every link resolved, component by component (the missing tail kept as written);
    /// null on a link loop.
    /// </summary>
    public static string? RealPath(string absolute)
    {
        var rootPart = Path.GetPathRoot(absolute) ?? "/";
        var pending = new Stack<string>(Components(absolute[rootPart.Length..]).AsEnumerable().Reverse());
        var current = rootPart;
        var links = 0;
        var missing = false;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(current)) ?? rootPart;
                continue;
            }

            var next = Path.Join(current, part);
            var target = missing ? null : LinkTarget(next);
            if (target is null)
            {
                // Below a missing folder nothing can be a link: the rest is kept as written.
                missing = missing || !(File.Exists(next) || Directory.Exists(next));
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            foreach (var piece in Components(target).AsEnumerable().Reverse())
            {
                pending.Push(piece);
            }

            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target) ?? rootPart;
            }
        }

        return Path.TrimEndingDirectorySeparator(current).Length == 0 ? rootPart : current;
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Components(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
