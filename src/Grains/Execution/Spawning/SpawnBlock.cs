using System.Text;

namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>
/// The argument vector and environment block of a directly spawned step, as strings: what the shell wrapper used to
/// make of them, without the shell.
/// </summary>
public static class SpawnBlock
{
    /// <summary><c>argv</c>: the executable first (as <c>argv[0]</c>), then the arguments.</summary>
    public static IReadOnlyList<string> Arguments(string executable, IEnumerable<string> arguments) => [executable, .. arguments];

    /// <summary>
    /// <c>envp</c> as <c>NAME=value</c> entries in ordinal order: variables without a value are left out, and
    /// <c>PWD</c> names the working directory, as the shell that used to start each step exported it. A name
    /// that is empty or holds <c>=</c> or NUL cannot be passed and is left out.
    /// </summary>
    public static IReadOnlyList<string> Environment(IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (value is not null && name.Length > 0 && name.IndexOfAny(['=', '\0']) < 0)
            {
                entries[name] = value;
            }
        }

        entries["PWD"] = workingDirectory;
        return [.. entries.Select(e => $"{e.Key}={e.Value}")];
    }

    /// <summary>One C string: UTF-8, cut at the first NUL (a C string cannot hold one), NUL-terminated.</summary>
    public static byte[] CString(string text)
    {
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        var kept = nul < 0 ? text : text[..nul];
        var bytes = new byte[Encoding.UTF8.GetByteCount(kept) + 1];
        Encoding.UTF8.GetBytes(kept, bytes);
        return bytes;
    }
}
