using System.Text;

namespace RemoteExecutor.Grains.Execution;

/// <summary>Reads a pipe to EOF, cutting it into lines (LF or CRLF) and handing them over a chunk at a time.</summary>
internal static class LineReader
{
    /// <summary>Longest line kept whole; longer ones are cut into pieces of this size.</summary>
    public const int MaxLine = 1 << 20;

    public static async Task PumpAsync(Stream stream, ConsoleSink sink, TimeProvider clock)
    {
        var buffer = new byte[64 * 1024];
        var start = 0;
        var end = 0;
        while (true)
        {
            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else if (buffer.Length < MaxLine)
                {
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxLine));
                }
            }

            int read;
            if (end == buffer.Length)
            {
                read = 0; // a line longer than MaxLine: cut it here
            }
            else
            {
                read = await stream.ReadAsync(buffer.AsMemory(end));
                if (read == 0)
                {
                    break;
                }
            }

            var ts = UnixNanos(clock);
            var lines = new List<(long, string)>();
            var scanFrom = end;
            end += read;
            int nl;
            while ((nl = Array.IndexOf(buffer, (byte)'\n', scanFrom, end - scanFrom)) >= 0)
            {
                lines.Add((ts, Decode(buffer, start, nl)));
                start = nl + 1;
                scanFrom = start;
            }

            if (read == 0)
            {
                lines.Add((ts, Decode(buffer, start, end)));
                start = end;
            }

            if (start == end)
            {
                start = end = 0;
            }

            await sink.AppendAsync(lines);
        }

        if (end > start)
        {
            await sink.AppendAsync([(UnixNanos(clock), Decode(buffer, start, end))]);
        }
    }

    private static string Decode(byte[] buffer, int from, int to)
    {
        if (to > from && buffer[to - 1] == '\r')
        {
            to--;
        }

        return Encoding.UTF8.GetString(buffer, from, to - from);
    }

    public static long UnixNanos(TimeProvider clock) =>
        (clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
