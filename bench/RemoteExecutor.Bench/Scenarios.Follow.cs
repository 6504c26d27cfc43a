using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RemoteExecutor.Bench;

/// <summary>The <c>follow</c> scenario: how long a printed line takes to reach a Server-Sent Events follower.</summary>
internal sealed partial class Scenarios
{
    /// <summary>
    /// One step prints <c>--follow_lines</c> lines 50 ms apart, each carrying bash's <c>$EPOCHREALTIME</c> at the print;
    /// an SSE follower of its console notes each line's arrival. Latency = arrival - print (wall clocks of one machine:
    /// with <c>--url</c> on another host the figure includes the clock offset).
    /// </summary>
    public async Task FollowAsync()
    {
        var section = _report.Section("follow");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        deadline.CancelAfter(_o.WaitTimeout);
        var token = deadline.Token;
        var n = _o.FollowLines;
        // The pause first lets the follower connect, so every line is measured live (not replayed from storage).
        var script = $"sleep 1; for i in $(seq 1 {n}); do echo \"$i $EPOCHREALTIME\"; sleep 0.05; done";
        var body = JsonSerializer.Serialize(new[] { new { name = "tick", command_type = "bash", command_content = script } });
        var submit = await _api.SubmitAsync(body, "?async=true", token);
        if (!submit.Ok)
        {
            _report.Error("follow", $"submit: HTTP {submit.Status} code {submit.Code} {submit.Message}");
            return;
        }

        using var response = await _api.OpenEventStreamAsync($"api/v1/task/{Uri.EscapeDataString(submit.Id!)}/tick/console", token);
        if (!response.IsSuccessStatusCode)
        {
            _report.Error("follow", $"follow: HTTP {(int)response.StatusCode}");
            return;
        }

        var latencies = new List<double>();
        var seen = new HashSet<long>();
        var ended = false;
        var bad = 0;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(token), Encoding.UTF8);
        var eventName = "";
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "line")
            {
                var arrived = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10.0;
                if (PrintedAt(line["data: ".Length..]) is { } printed && seen.Add(printed.Number))
                {
                    latencies.Add((arrived - printed.Micros) / 1000.0);
                }
                else
                {
                    bad++;
                }
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "end")
            {
                ended = true;
                break;
            }
        }

        section.Add("lines", latencies.Count, "", $"of {n}, printed 50 ms apart");
        section.Add("p50_ms", Percentile.Of(latencies, 50), "ms", "print (in the step) to arrival at the SSE follower");
        section.Add("p95_ms", Percentile.Of(latencies, 95), "ms");
        section.Add("max_ms", latencies.Count == 0 ? double.NaN : latencies.Max(), "ms");
        section.Add("lines_lost", n - latencies.Count, "", "missing or unreadable");
        section.Add("ended", ended, "an end event closed the stream");
        if (!ended || latencies.Count != n || bad > 0)
        {
            _report.Error("follow", $"follow not exact: {latencies.Count} of {n} lines timed, {bad} bad or repeated, end event {(ended ? "seen" : "missing")}");
        }
    }

    /// <summary>The line number and print time (µs since the epoch) from a line event's data: content <c>"N seconds.micros"</c>.</summary>
    private static (long Number, double Micros)? PrintedAt(string json)
    {
        try
        {
            var content = JsonDocument.Parse(json).RootElement.GetProperty("content").GetString() ?? "";
            var parts = content.Split(' ');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && decimal.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            {
                return (number, (double)(seconds * 1_000_000m));
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
