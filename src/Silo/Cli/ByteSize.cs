using System.Globalization;

namespace RemoteExecutor.Silo.Cli;

/// <summary>A size in bytes on the command line: <c>65536</c>, <c>64KiB</c>, <c>64K</c>, <c>1GiB</c>, <c>512MB</c> (all binary).</summary>
public static class ByteSize
{
    public static bool TryParse(string? text, long min, long max, out long bytes, out string error)
    {
        bytes = 0;
        var s = (text ?? "").Trim();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        long unit = s[digits..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => 0,
        };
        if (digits == 0 || unit == 0 || !long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count > max / unit || count * unit < min)
        {
            error = $"expected a size from {min} bytes to {max} bytes such as 65536, 64KiB or 1GiB, got \"{text}\"";
            return false;
        }

        bytes = count * unit;
        error = "";
        return true;
    }
}
