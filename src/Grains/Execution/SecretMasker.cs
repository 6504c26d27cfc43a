using System.Buffers;
using System.Text;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Replaces secret values in one output stream by <see cref="EnvEntries.Mask"/>, fed a piece at a time. A line may
/// arrive in several pieces (a line longer than <c>--max_line</c>, or a pipe read that ended mid-line): the masker
/// holds back the last <see cref="HoldBack"/> characters of each piece, so a secret split between two pieces is
/// still found whole. Where occurrences of several secrets overlap, the union of their characters is masked, so
/// no part of any secret shows.
/// <para>
/// A multi-line value (a PEM key) never appears whole in one line: each of its lines (trimmed) is masked on its
/// own. A line of such a value shorter than <see cref="MinLength"/> characters would blank ordinary text if it
/// were masked everywhere, so it is masked only when it makes up a whole output line.
/// </para>
/// </summary>
public sealed class SecretMasker
{
    /// <summary>Shortest value masked wherever it occurs; submits refuse shorter secrets.</summary>
    public const int MinLength = 4;

    private readonly string[] _patterns;
    private readonly HashSet<string> _wholeLines;
    private string _pending = "";
    private int _forced;
    private bool _released;

    public SecretMasker(IEnumerable<string> secretValues)
    {
        var patterns = new HashSet<string>(StringComparer.Ordinal);
        _wholeLines = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in secretValues)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            var parts = value.Split('\n');
            if (parts.Length == 1)
            {
                Add(value, patterns);
                Add(value.TrimEnd('\r'), patterns);
                continue;
            }

            foreach (var part in parts)
            {
                Add(part.Trim(), patterns);
            }
        }

        _patterns = [.. patterns.OrderByDescending(p => p.Length)];
        var longest = _patterns.Length == 0 ? 0 : _patterns[0].Length - 1;
        var wholeLine = _wholeLines.Count == 0 ? 0 : _wholeLines.Max(p => p.Length);
        HoldBack = Math.Max(longest, wholeLine);
    }

    /// <summary>True when there is nothing to mask: pieces pass through unchanged.</summary>
    public bool IsEmpty => _patterns.Length == 0 && _wholeLines.Count == 0;

    /// <summary>Most characters of a piece kept back until the next piece of the same line arrives.</summary>
    public int HoldBack { get; }

    /// <summary>Characters currently held back (at most <see cref="HoldBack"/>).</summary>
    public int Pending => _pending.Length;

    /// <summary>
    /// Feeds the next piece of the current line; returns the masked text that can be shown now. With
    /// <paramref name="endOfLine"/> the line is over and everything held back is returned too.
    /// </summary>
    public string Feed(string piece, bool endOfLine)
    {
        if (IsEmpty)
        {
            return piece;
        }

        var text = _pending.Length == 0 ? piece : _pending + piece;
        if (endOfLine && !_released && _forced == 0 && _wholeLines.Contains(text.Trim()))
        {
            Reset();
            return EnvEntries.Mask;
        }

        var cut = endOfLine ? text.Length : Math.Max(0, text.Length - HoldBack);
        if (cut == 0)
        {
            _pending = text;
            return "";
        }

        var cover = ArrayPool<int>.Shared.Rent(text.Length + 1);
        try
        {
            Array.Clear(cover, 0, text.Length + 1);
            var carried = MarkOccurrences(text, cover, cut);
            var output = Render(text, cover, cut);
            if (endOfLine)
            {
                Reset();
            }
            else
            {
                _pending = text[cut..];
                _forced = Math.Max(0, carried - cut);
                _released = true;
            }

            return output;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(cover);
        }
    }

    private void Add(string part, HashSet<string> patterns)
    {
        if (part.Length >= MinLength)
        {
            patterns.Add(part);
        }
        else if (part.Length > 0)
        {
            _wholeLines.Add(part);
        }
    }

    /// <summary>Marks every occurrence as +1/-1 boundaries in <paramref name="cover"/>; returns the furthest end of one starting before <paramref name="cut"/>.</summary>
    private int MarkOccurrences(string text, int[] cover, int cut)
    {
        var furthest = 0;
        if (_forced > 0)
        {
            var end = Math.Min(_forced, text.Length);
            cover[0]++;
            cover[end]--;
            furthest = end;
        }

        foreach (var pattern in _patterns)
        {
            for (var at = text.IndexOf(pattern, StringComparison.Ordinal); at >= 0; at = text.IndexOf(pattern, at + 1, StringComparison.Ordinal))
            {
                cover[at]++;
                cover[at + pattern.Length]--;
                if (at < cut)
                {
                    furthest = Math.Max(furthest, at + pattern.Length);
                }
            }
        }

        return furthest;
    }

    /// <summary>The first <paramref name="cut"/> characters with every covered run replaced by one mask.</summary>
    private static string Render(string text, int[] cover, int cut)
    {
        var builder = new StringBuilder(cut);
        var depth = 0;
        var plainFrom = 0;
        var inMask = false;
        for (var i = 0; i < cut; i++)
        {
            depth += cover[i];
            if (depth > 0 && !inMask)
            {
                builder.Append(text, plainFrom, i - plainFrom).Append(EnvEntries.Mask);
                inMask = true;
            }
            else if (depth == 0 && inMask)
            {
                plainFrom = i;
                inMask = false;
            }
        }

        if (!inMask)
        {
            builder.Append(text, plainFrom, cut - plainFrom);
        }

        return builder.ToString();
    }

    private void Reset()
    {
        _pending = "";
        _forced = 0;
        _released = false;
    }
}
