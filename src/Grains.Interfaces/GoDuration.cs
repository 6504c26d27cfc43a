using System.Globalization;
using System.Text;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Durations written the Go way: <c>90s</c>, <c>1h30m</c>, <c>1.5h</c>, <c>300ms</c>.</summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    /// <summary>Parses a Go duration. Returns false with a reason on bad syntax or overflow.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "empty duration";
            return false;
        }

        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        double total = 0;
        var i = 0;
        if (s.Length == 0)
        {
            error = $"invalid duration \"{text}\"";
            return false;
        }

        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid duration \"{text}\"";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            var unit = s[unitStart..i];
            var match = Array.FindIndex(Units, u => u.Unit == unit);
            if (match < 0)
            {
                error = unit.Length == 0
                    ? $"missing unit in duration \"{text}\" (use ns, us, ms, s, m or h)"
                    : $"unknown unit \"{unit}\" in duration \"{text}\" (use ns, us, ms, s, m or h)";
                return false;
            }

            total += number * Units[match].Ticks;
            if (total > TimeSpan.MaxValue.Ticks)
            {
                error = $"duration \"{text}\" is too large";
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)Math.Round(total));
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    /// <summary>Formats like Go's <c>time.Duration.String()</c>: <c>1h30m0s</c>, <c>1.5s</c>, <c>300ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Duration();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            var ms = value.TotalMilliseconds;
            if (ms >= 1)
            {
                return sb.Append(ms.ToString("0.######", CultureInfo.InvariantCulture)).Append("ms").ToString();
            }

            return sb.Append((value.Ticks / 10.0).ToString("0.#", CultureInfo.InvariantCulture)).Append("µs").ToString();
        }

        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            sb.Append(hours).Append('h');
        }

        if (hours > 0 || value.Minutes > 0)
        {
            sb.Append(value.Minutes).Append('m');
        }

        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        sb.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}
