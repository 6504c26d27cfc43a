using System.Text;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The file a step names its outputs in (<c>$TASK_STEP_OUTPUT</c>): <c>KEY=VALUE</c> lines, read after the step
/// ended, at most <see cref="MaxBytes"/> of it. Keys are letters, digits, <c>_</c>, <c>-</c> and <c>.</c>; other lines
/// (and a line cut by the bound) are ignored and counted in a note. A later line with the same key wins.
/// </summary>
public static class StepOutputFile
{
    /// <summary>Most bytes of the file read per step.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The variable that names the file.</summary>
    public const string Variable = "TASK_STEP_OUTPUT";

    /// <summary>Where attempt outputs of <paramref name="step"/> go in the task's script folder.</summary>
    public static string PathOf(string scriptDir, string step) => Path.Combine(scriptDir, step + ".output");

    /// <summary>Reads the file (absent = no outputs) and masks values with <paramref name="mask"/>.</summary>
    public static async Task<(IReadOnlyList<string> Outputs, string Note)> ReadAsync(string path, Func<string, string> mask)
    {
        if (!File.Exists(path))
        {
            return ([], "");
        }

        var buffer = new byte[MaxBytes + 1];
        var read = 0;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            int n;
            while (read < buffer.Length && (n = await file.ReadAsync(buffer.AsMemory(read, buffer.Length - read))) > 0)
            {
                read += n;
            }
        }

        var truncated = read > MaxBytes;
        var text = new UTF8Encoding(false, false).GetString(buffer, 0, Math.Min(read, MaxBytes));
        return Parse(text, truncated, mask);
    }

    /// <summary>
    /// Parses the text of the file. When <paramref name="truncated"/>, the file went on past the bound: its last,
    /// possibly cut, line is ignored too.
    /// </summary>
    public static (IReadOnlyList<string> Outputs, string Note) Parse(string text, bool truncated, Func<string, string> mask)
    {
        var lines = text.Split('\n');
        var last = lines.Length - 1;
        if (truncated || lines[last].Length == 0)
        {
            // A cut line is not a line; a file that ends with a newline leaves an empty piece.
            last--;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        var ignored = 0;
        for (var i = 0; i <= last; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !IsKey(line.AsSpan(0, eq)))
            {
                ignored++;
                continue;
            }

            var key = line[..eq];
            if (!values.ContainsKey(key))
            {
                order.Add(key);
            }

            values[key] = mask(line[(eq + 1)..]);
        }

        var notes = new List<string>();
        if (truncated)
        {
            notes.Add($"outputs: the file is longer than {MaxBytes / 1024} KiB; the rest is ignored");
        }

        if (ignored > 0)
        {
            notes.Add($"outputs: {ignored} line{(ignored == 1 ? "" : "s")} not of the form KEY=VALUE ignored");
        }

        return ([.. order.Select(k => $"{k}={values[k]}")], string.Join("; ", notes));
    }

    /// <summary>The environment variable a later step gets an output under: <c>TASK_OUTPUT_&lt;STEP&gt;_&lt;KEY&gt;</c>, in [A-Z0-9_].</summary>
    public static string VariableName(string step, string key) => $"TASK_OUTPUT_{Sanitize(step)}_{Sanitize(key)}";

    private static bool IsKey(ReadOnlySpan<char> key)
    {
        foreach (var c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return builder.ToString();
    }
}
