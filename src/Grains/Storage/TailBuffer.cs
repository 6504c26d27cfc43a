using System.Text;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// The newest lines of a console within a byte budget (UTF-8, one newline per line counted): older lines fall
/// out as newer ones come; a single line longer than the budget keeps its end, led by "…".
/// </summary>
public sealed class TailBuffer
{
    private const string Clipped = "…";

    private readonly int _maxBytes;
    private readonly Queue<(string Line, int Bytes)> _lines = new();
    private long _bytes;

    public TailBuffer(int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 16);
        _maxBytes = maxBytes;
    }

    public IReadOnlyList<string> Lines => [.. _lines.Select(l => l.Line)];

    public void Add(string line)
    {
        var bytes = Encoding.UTF8.GetByteCount(line) + 1;
        if (bytes > _maxBytes)
        {
            line = Clip(line, _maxBytes - 1 - Encoding.UTF8.GetByteCount(Clipped));
            bytes = Encoding.UTF8.GetByteCount(line) + 1;
        }

        _lines.Enqueue((line, bytes));
        _bytes += bytes;
        while (_bytes > _maxBytes && _lines.Count > 1)
        {
            _bytes -= _lines.Dequeue().Bytes;
        }
    }

    /// <summary>The end of <paramref name="line"/> within <paramref name="budget"/> bytes, led by the clip mark.</summary>
    private static string Clip(string line, int budget)
    {
        var from = Math.Max(0, line.Length - budget);
        while (from < line.Length && (char.IsLowSurrogate(line[from]) || Encoding.UTF8.GetByteCount(line.AsSpan(from)) > budget))
        {
            from++;
        }

        return Clipped + line[from..];
    }
}
