using System.Text;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Sanitising of task ids and step names: only letters, digits and CJK ideographs survive.</summary>
public static class Names
{
    /// <summary>Longest id or step name accepted (after sanitising).</summary>
    public const int MaxLength = 128;

    /// <summary>Removes every character that is not a letter or a digit (CJK ideographs are letters).</summary>
    public static string Sanitize(string? raw)
    {
        if (string.IsNullOrEmpty(raw))
        {
            return "";
        }

        var sb = new StringBuilder(raw.Length);
        foreach (var rune in raw.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                sb.Append(rune.ToString());
            }
        }

        return sb.ToString();
    }

    /// <summary>A new task id: time-sortable and unique (UUIDv7 without dashes).</summary>
    public static string NewTaskId() => Guid.CreateVersion7().ToString("N");
}
