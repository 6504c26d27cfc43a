using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Serilog.Events;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// Known log reports that ask nothing of the operator: Orleans' note that ServerGC is off (off on purpose: workstation
/// GC keeps a small silo small), and a watchdog "participant check" delay longer than the process has existed (the
/// watchdog's first check measures from a zero timestamp, so the figure is the machine's uptime, not a stall), and
/// the reminder options validator's note on a minimum period under a minute (set on purpose: the per-node expiry
/// reminder ticks every key_expire/10, at most 30 s, and its ticks write nothing).
/// </summary>
public static partial class LogNoise
{
    private static readonly DateTime ProcessStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static bool IsNoise(LogEvent e) => IsNoise(Source(e), e.RenderMessage(CultureInfo.InvariantCulture), DateTime.UtcNow - ProcessStart);

    /// <summary>The decision on plain values, for tests.</summary>
    public static bool IsNoise(string? source, string message, TimeSpan uptime)
    {
        if (source == "Orleans.Runtime.Silo" && message.Contains("ServerGC", StringComparison.Ordinal))
        {
            return true;
        }

        if (source == "Orleans.Hosting.ReminderOptionsValidator" && message.Contains("MinimumReminderPeriod", StringComparison.Ordinal))
        {
            return true;
        }

        if (source == "Orleans.Runtime.Watchdog" && WatchdogDelay().Match(message) is { Success: true } m
            && TimeSpan.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out var delay))
        {
            return delay > uptime;
        }

        return false;
    }

    private static string? Source(LogEvent e) =>
        e.Properties.TryGetValue("SourceContext", out var value) && value is ScalarValue { Value: string s } ? s : null;

    [GeneratedRegex(@"has not completed for (\d+(?:\.\d+)?:\d{2}:\d{2}(?:\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex WatchdogDelay();
}
