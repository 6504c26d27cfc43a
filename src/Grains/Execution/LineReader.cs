using System.Text;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Reads one pipe to EOF, cutting it into lines (LF or CRLF), masking secrets and handing the lines to the console
/// a pipe read at a time. It never holds more than <c>maxLine</c> bytes: a longer line is stored as several
/// console lines, every piece but the last ending with <see cref="ContinuationMarker"/> (cut on a UTF-8 character
/// boundary). Once the step's output budget is spent the rest of the pipe is read and dropped.
/// </summary>
internal sealed class LineReader
{
    /// <summary>Ends every piece of a cut line except its last.</summary>
    public const string ContinuationMarker = "…[line continues]";

    private const int InitialBuffer = 64 * 1024;

    private readonly int _maxLine;
    private readonly SecretMasker _masker;
    private readonly OutputLimiter _limiter;
    private readonly ConsoleSink _sink;
    private readonly TimeProvider _clock;

    public LineReader(int maxLine, SecretMasker masker, OutputLimiter limiter, ConsoleSink sink, TimeProvider clock)
    {
        _maxLine = maxLine;
        _masker = masker;
        _limiter = limiter;
        _sink = sink;
        _clock = clock;
    }

    public async Task PumpAsync(Stream stream)
    {
        var buffer = new byte[Math.Min(InitialBuffer, _maxLine)];
        var start = 0;
        var end = 0;
        while (true)
        {
            var lines = new List<(long, string)>();
            var ts = UnixNanos(_clock);
            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else if (buffer.Length < _maxLine)
                {
                    Array.Resize(ref buffer, (int)Math.Min(buffer.Length * 2L, _maxLine));
                }
                else
                {
                    // A line longer than maxLine: store what is here as one piece and go on with the rest.
                    var cut = Utf8Cut(buffer, 0, end);
                    Add(lines, ts, buffer, 0, cut, endOfLine: false);
                    Buffer.BlockCopy(buffer, cut, buffer, 0, end - cut);
                    end -= cut;
                }
            }

            var read = await stream.ReadAsync(buffer.AsMemory(end));
            if (read == 0)
            {
                await _sink.AppendAsync(lines);
                break;
            }

            var kept = _limiter.Take(read);
            var scanFrom = end;
            end += kept;
            int nl;
            while ((nl = Array.IndexOf(buffer, (byte)'\n', scanFrom, end - scanFrom)) >= 0)
            {
                Add(lines, ts, buffer, start, nl, endOfLine: true);
                start = nl + 1;
                scanFrom = start;
            }

            if (kept < read)
            {
                // The budget is spent: close the line in progress and drain the pipe without keeping anything.
                if (end > start)
                {
                    Add(lines, ts, buffer, start, end, endOfLine: true);
                }

                await _sink.AppendAsync(lines);
                await DrainAsync(stream, buffer);
                return;
            }

            if (start == end)
            {
                start = end = 0;
            }

            await _sink.AppendAsync(lines);
        }

        if (end > start)
        {
            var last = new List<(long, string)>();
            Add(last, UnixNanos(_clock), buffer, start, end, endOfLine: true);
            await _sink.AppendAsync(last);
        }
    }

    private async Task DrainAsync(Stream stream, byte[] buffer)
    {
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            _limiter.Take(read);
        }
    }

    private void Add(List<(long, string)> lines, long ts, byte[] buffer, int from, int to, bool endOfLine)
    {
        if (endOfLine && to > from && buffer[to - 1] == '\r')
        {
            to--;
        }

        var text = _masker.Feed(Encoding.UTF8.GetString(buffer, from, to - from), endOfLine);
        if (endOfLine)
        {
            lines.Add((ts, text));
        }
        else if (text.Length > 0)
        {
            lines.Add((ts, text + ContinuationMarker));
        }
    }

    /// <summary>The end of the last whole UTF-8 character in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    internal static int Utf8Cut(byte[] buffer, int from, int to)
    {
        for (var back = 1; back <= 3 && to - back >= from; back++)
        {
            var b = buffer[to - back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // a continuation byte: its lead byte is further back
            }

            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            var cut = length > back ? to - back : to;
            return cut > from ? cut : to;
        }

        return to;
    }

    public static long UnixNanos(TimeProvider clock) =>
        (clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
