using System.Globalization;
using System.Text;

namespace RemoteExecutor.Grains;

/// <summary>
/// Makes audit fields safe to store and to read in a terminal: control characters escaped (<c>\n</c> becomes the two
/// characters <c>\\n</c>, others <c>\\u00XX</c>) and each field cut to <see cref="MaxBytes"/> UTF-8 bytes with a
/// note saying how long it was, so a refused 9 MiB submit leaves a 1 KiB row.
/// </summary>
public static class AuditText
{
    /// <summary>Most bytes (UTF-8, after escaping) one field keeps.</summary>
    public const int MaxBytes = 1024;

    public static AuditEntry Clean(AuditEntry entry) => entry with
    {
        Actor = Clean(entry.Actor)!,
        Client = Clean(entry.Client)!,
        Action = Clean(entry.Action)!,
        Task = Clean(entry.Task),
        Step = Clean(entry.Step),
        Node = Clean(entry.Node),
        Outcome = Clean(entry.Outcome)!,
    };

    public static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(text.Length, MaxBytes) + 16);
        var bytes = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var piece = Escape(c);
            var size = piece is null
                ? char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 4 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3
                : piece.Length;
            if (bytes + size > MaxBytes)
            {
                return builder.Append(CultureInfo.InvariantCulture, $"…[cut: {Encoding.UTF8.GetByteCount(text)} bytes in all]").ToString();
            }

            bytes += size;
            if (piece is not null)
            {
                builder.Append(piece);
            }
            else if (size == 4)
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string? Escape(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\0' => "\\0",
        _ when char.IsControl(c) || c is '\u2028' or '\u2029' => $"\\u{(int)c:x4}",
        _ => null,
    };
}
