using System.Globalization;
using System.Text.RegularExpressions;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>RFC 3339 times as the API reads (<c>run_at</c>) and writes them.</summary>
public static partial class Rfc3339
{
    /// <summary>An example for error messages.</summary>
    public const string Example = "2026-12-01T08:00:00Z";

    /// <summary>UTC, seconds precision: <c>2026-12-01T08:00:00Z</c>.</summary>
    public static string Format(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a full date-time with an offset (<c>Z</c> or <c>+02:00</c>); a time without its zone is refused.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && Shape().IsMatch(text.Trim())
            && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Shape();
}
