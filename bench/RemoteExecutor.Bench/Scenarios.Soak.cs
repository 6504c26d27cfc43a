using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace RemoteExecutor.Bench;

/// <summary>The <c>soak</c> scenario: a steady paced load for minutes, RSS sampled each minute, every task accounted for.</summary>
internal sealed partial class Scenarios
{
    /// <summary>Soak clients poll their task this far apart: the soak measures stability, not latency, so polls stay cheap.</summary>
    private const int SoakPollMs = 10;

    /// <summary>
    /// <c>--soak_minutes</c> of <c>true</c> tasks, one submit slot every 1/rate s (rate = <c>--soak_rate</c>, or 80 % of
    /// the curve's best tasks/s), taken by <c>--soak_clients</c> closed-loop clients that each wait for their task. VmRSS
    /// at every whole minute; growth = last minute against minute 2 (after warm-up). Every accepted task must end with
    /// code 0: a failed, stuck or lost task, or a refused submit, is an error.
    /// </summary>
    public async Task SoakAsync()
    {
        var section = _report.Section("soak");
        var best = _report.Root["curve"]?["best_tasks_per_s"] is JsonValue v && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var b) ? b : double.NaN;
        var rate = _o.SoakRate ?? 0.8 * best;
        if (!(rate > 0))
        {
            _report.Error("soak", "no rate: the curve gave no tasks/s and no --soak_rate was given");
            return;
        }

        var minutes = _o.SoakMinutes;
        var duration = TimeSpan.FromMinutes(minutes);
        section.Add("rate", rate, "tasks/s", _o.SoakRate is null ? $"80 % of the curve's best {best:0.0} tasks/s" : "--soak_rate", rate: true);
        section.Add("minutes", minutes, "min", $"{_o.SoakClients} clients take the slots; polls {SoakPollMs} ms apart");
        Console.WriteLine($"[bench] soak: {rate:0.0} tasks/s for {minutes} min");

        var result = new ClosedLoopResult();
        var rss = new JsonArray();
        var perMinute = new JsonArray();
        var rssMb = new List<double>();
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        var sampler = Task.Run(async () =>
        {
            var start = Stopwatch.GetTimestamp();
            var finishedBefore = 0;
            for (var minute = 1; minute <= Math.Ceiling(minutes); minute++)
            {
                var wait = TimeSpan.FromMinutes(Math.Min(minute, minutes)) - Stopwatch.GetElapsedTime(start);
                try
                {
                    await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stopSampling.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                var finished = result.Finished + result.Late;
                perMinute.Add(finished - finishedBefore);
                finishedBefore = finished;
                if (_pid is { } pid && ProcStats.Memory(pid) is { } m)
                {
                    rss.Add(Math.Round(m.RssMb, 1));
                    lock (rssMb)
                    {
                        rssMb.Add(m.RssMb);
                    }
                }

                Console.WriteLine($"[bench] soak minute {Math.Min(minute, minutes):0.#}: {finished} tasks finished, RSS {(rss.Count > 0 ? rss[^1] : "?")} MB, " +
                                  $"{result.Failed} failed, {result.SubmitErrors} submit errors, {result.MissedSlots} missed slots");
            }
        }, CancellationToken.None);

        var cpu = new CpuMeter(_pid);
        var plan = new ClosedLoopPlan(_o.SoakClients, 0, WarmFirst: false, SoakPollMs, StuckAfter, duration + StuckAfter + TimeSpan.FromMinutes(1), rate, duration);
        await ClosedLoop.RunAsync(_api, TrueTask, plan, result, _ct);
        await sampler;
        await stopSampling.CancelAsync();

        var latencies = result.LatenciesMs;
        section.Add("submitted", result.Submitted, "", "accepted tasks");
        section.Add("tasks_per_s", result.TasksPerSecond, "tasks/s", "achieved", rate: true);
        section.Add("missed_slots", result.MissedSlots, "", "slots skipped: every client still waiting > 1 s after the slot");
        section.Add("p50_ms", Percentile.Of(latencies, 50), "ms", $"submit to finished (polls {SoakPollMs} ms apart)");
        section.Add("p99_ms", Percentile.Of(latencies, 99), "ms");
        section.Add("max_ms", latencies.Count == 0 ? double.NaN : latencies.Max(), "ms");
        section.Add("succeeded", result.Succeeded, "");
        section.Add("failed", result.Failed, "");
        section.Add("submit_errors", result.SubmitErrors, "");
        section.Add("late", result.Late, "", $"not final within {StuckAfter.TotalSeconds} s, final when re-checked");
        section.Add("stuck", result.Stuck, "", "still pending or in progress at the end");
        section.Add("lost", result.Lost, "", "accepted, then not found");
        section.Add("unaccounted", result.Submitted - result.Succeeded - result.Failed - result.Stuck - result.Lost, "", "accepted but never seen again (must be 0)");
        cpu.Report(section);
        if (section.Get("server_cpu_s") is { } serverCpu && result.Finished > 0)
        {
            section.Add("server_cpu_ms_per_task", serverCpu * 1000 / result.Finished, "ms", "polls included");
        }

        // The table shows them as text; the JSON keeps the numbers.
        section.Add("rss_mb_per_minute", rss.Count == 0 ? "(no PID)" : "MB at each whole minute and at the end: " + string.Join(" ", rss.Select(x => x!.ToJsonString())));
        section.Add("tasks_per_minute", "finished per minute: " + string.Join(" ", perMinute.Select(x => x!.ToJsonString())));
        _report.Root["soak"]!["rss_mb_per_minute"] = rss;
        _report.Root["soak"]!["tasks_per_minute"] = perMinute;
        if (rssMb.Count >= 3)
        {
            section.Add("rss_min2_mb", rssMb[1], "MB", "VmRSS at minute 2 (after warm-up)");
            section.Add("rss_end_mb", rssMb[^1], "MB", $"VmRSS at the end (minute {minutes:0.#})");
            section.Add("rss_growth_pct", 100 * (rssMb[^1] - rssMb[1]) / rssMb[1], "%", "last minute against minute 2");
            section.Add("rss_max_mb", rssMb.Max(), "MB", "largest per-minute sample");
        }

        var unaccounted = result.Submitted - result.Succeeded - result.Failed - result.Stuck - result.Lost;
        if (result.Failed > 0 || result.SubmitErrors > 0 || result.Stuck > 0 || result.Lost > 0 || result.PollErrors > 0 || unaccounted != 0 || result.TimedOut)
        {
            _report.Error("soak", $"{result.Failed} failed, {result.SubmitErrors} submit errors, {result.Stuck} stuck, {result.Lost} lost, " +
                                  $"{unaccounted} unaccounted, {result.PollErrors} poll errors" + (result.TimedOut ? ", timed out" : "") +
                                  (result.Samples.Count > 0 ? "; e.g. " + string.Join(" | ", result.Samples.Take(3)) : ""));
        }
    }
}
