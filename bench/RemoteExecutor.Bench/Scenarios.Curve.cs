using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RemoteExecutor.Bench;

/// <summary>The <c>curve</c> scenario: tasks/s and submit-to-finished latency at several client counts.</summary>
internal sealed partial class Scenarios
{
    /// <summary>A task not final after this long is set aside and re-checked at the end (stuck or lost).</summary>
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Each point: <c>n</c> closed-loop clients (submit one <c>true</c> task, poll its detail every <c>--poll_ms</c> until
    /// it is final, then the next), one unmeasured task per client, then <c>--curve_tasks</c> measured tasks. Latency is
    /// what a caller waiting for its task sees; at 16 clients the concurrency is that of the spawn ceiling's 16 loops.
    /// Server CPU per task is also given net of the detail polls, priced by a calibration on a finished task.
    /// </summary>
    public async Task CurveAsync()
    {
        var section = _report.Section("curve");
        var spawn = _report.SpawnRate;
        section.Add("spawn_per_s", spawn ?? double.NaN, "proc/s", "spawn ceiling of this run (16 loops of bash)");

        if (_o.CurveWarmup > 0)
        {
            var warmClients = Math.Min(16, _o.Curve.Max());
            var w = await ClosedLoop.RunAsync(_api, TrueTask, Plan(warmClients, _o.CurveWarmup), null, _ct);
            section.Add("warmup_tasks", w.Finished, "", $"unmeasured, {warmClients} clients");
            CheckLoop("curve warm-up", w);
            await SettleJitAsync(section);
        }

        // After the warm-up, so the GET is priced with warm code.
        var pollPrice = await CalibratePollAsync(section);
        var points = new JsonArray();
        _report.Root["curve"]!["points"] = points;
        var rows = new List<string[]>();
        var best = (Rate: double.NaN, Clients: 0);
        foreach (var clients in _o.Curve)
        {
            await SettleAsync();
            Console.WriteLine($"[bench] curve: {clients} client(s), {_o.CurveTasks} tasks");
            var obj = new JsonObject();
            points.Add(obj);
            var point = new Section(_report, $"curve@{clients}", obj);
            var threadsBefore = _pid is { } tp ? ProcStats.ThreadCpu(tp) : null;
            var cpu = new CpuMeter(_pid);
            var r = await ClosedLoop.RunAsync(_api, TrueTask, Plan(clients, _o.CurveTasks) with { WarmFirst = true }, null, _ct);
            var latencies = r.LatenciesMs;
            var submits = r.SubmitMs;
            var all = r.Finished + r.Warm;
            point.Add("clients", clients, "");
            point.Add("tasks", r.Finished, "", $"measured, after {r.Warm} unmeasured (one per client)");
            point.Add("elapsed_s", r.Seconds, "s", "first measured submit to last measured finished");
            point.Add("tasks_per_s", r.TasksPerSecond, "tasks/s", rate: true);
            point.Add("p50_ms", Percentile.Of(latencies, 50), "ms", "submit to finished, as the polling client sees it");
            point.Add("p95_ms", Percentile.Of(latencies, 95), "ms");
            point.Add("p99_ms", Percentile.Of(latencies, 99), "ms");
            point.Add("max_ms", latencies.Count == 0 ? double.NaN : latencies.Max(), "ms");
            point.Add("submit_p50_ms", Percentile.Of(submits, 50), "ms", "the POST alone (part of the above)");
            point.Add("submit_p99_ms", Percentile.Of(submits, 99), "ms");
            var pollsPerTask = all == 0 ? double.NaN : (double)r.Polls / all;
            point.Add("polls_per_task", pollsPerTask, "", $"detail GETs, {_o.PollMs} ms apart");
            AddLoopOutcome(point, r);
            cpu.Report(point);
            double? net = null;
            if (point.Get("server_cpu_s") is { } serverCpu && all > 0)
            {
                var gross = serverCpu * 1000 / all;
                point.Add("server_cpu_ms_per_task", gross, "ms", $"server CPU / {all} tasks (the unmeasured ones included)");
                if (pollPrice is { } price)
                {
                    net = Math.Max(0, gross - (pollsPerTask * price));
                    point.Add("server_cpu_ms_per_task_net", net.Value, "ms", $"less {pollsPerTask:0.0} polls x {price:0.###} ms");
                }

                point.Add("steps_cpu_ms_per_task", (point.Get("steps_cpu_s") ?? double.NaN) * 1000 / all, "ms", "the step processes' own CPU (cutime+cstime)");
            }

            if (threadsBefore is not null && _pid is { } pid)
            {
                AddThreads(point, obj, threadsBefore, ProcStats.ThreadCpu(pid), point.Get("server_cpu_s"));
            }

            CheckLoop($"curve@{clients}", r);
            if (!(r.TasksPerSecond <= best.Rate))
            {
                best = (r.TasksPerSecond, clients);
            }

            rows.Add([
                clients.ToString(CultureInfo.InvariantCulture), Cell(r.TasksPerSecond, "0.0"),
                spawn is > 0 ? Cell(r.TasksPerSecond / spawn.Value, "0.000") + "x" : "-",
                Cell(Percentile.Of(latencies, 50), "0.0"), Cell(Percentile.Of(latencies, 95), "0.0"), Cell(Percentile.Of(latencies, 99), "0.0"),
                Cell(point.Get("server_cpu_ms_per_task") ?? double.NaN, "0.00"), Cell(net ?? double.NaN, "0.00"),
                Cell(100 * (point.Get("jit_cpu_s") ?? double.NaN) / (point.Get("server_cpu_s") ?? double.NaN), "0") + "%",
                Cell(point.Get("steps_cpu_ms_per_task") ?? double.NaN, "0.00"), Cell(pollsPerTask, "0.0"),
            ]);
        }

        section.Add("best_tasks_per_s", best.Rate, "tasks/s", $"at {best.Clients} clients", rate: true);
        section.Add("best_clients", best.Clients, "");
        _report.AddBlock("curve", Table(
            ["clients", "tasks/s", "vs spawn", "p50 ms", "p95 ms", "p99 ms", "server ms/task", "net of polls", "JIT share", "steps ms/task", "polls/task"], rows));
    }

    /// <summary>
    /// Waits (up to 60 s) until the server's tiered JIT thread uses under 2 % of a core over a second: the warm-up
    /// leaves a queue of methods to recompile, which the first point would otherwise pay for.
    /// </summary>
    private async Task SettleJitAsync(Section section)
    {
        // The smoke checks the mechanics, not steady-state figures, and must stay fast.
        if (_pid is not { } pid || _o.Smoke)
        {
            return;
        }

        static double Jit(int pid) =>
            ProcStats.ThreadCpu(pid).Where(kv => kv.Key.StartsWith(".NET Tiered", StringComparison.Ordinal)).Sum(kv => kv.Value);

        var sw = System.Diagnostics.Stopwatch.StartNew();
        var start = Jit(pid);
        var before = start;
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(1000, _ct);
            var now = Jit(pid);
            var busy = now - before;
            before = now;
            if (busy < 0.02)
            {
                break;
            }
        }

        section.Add("jit_settle_s", sw.Elapsed.TotalSeconds, "s", $"idle wait after the warm-up until the JIT thread went quiet ({before - start:0.00} s of JIT CPU)");
    }

    /// <summary>The plan of a curve point: as fast as the clients go, polls <c>--poll_ms</c> apart.</summary>
    private ClosedLoopPlan Plan(int clients, int tasks) =>
        new(clients, tasks, WarmFirst: false, _o.PollMs, StuckAfter, _o.WaitTimeout);

    /// <summary>
    /// Server CPU of one detail GET: <c>--calibrate</c> GETs (4 in flight) of one finished task, server CPU delta / count.
    /// Null when there is no server PID or nothing to calibrate.
    /// </summary>
    private async Task<double?> CalibratePollAsync(Section section)
    {
        if (_pid is null || _o.Calibrate == 0)
        {
            return null;
        }

        var submit = await _api.SubmitAsync(TrueTask, "", _ct);
        if (!submit.Ok)
        {
            _report.Error("curve", $"calibration submit: HTTP {submit.Status} code {submit.Code} {submit.Message}");
            return null;
        }

        var deadline = DateTime.UtcNow + StuckAfter;
        while (!Codes.IsFinal((await _api.TaskCodeAsync(submit.Id!, _ct)).Code))
        {
            if (DateTime.UtcNow > deadline)
            {
                _report.Error("curve", $"calibration task {submit.Id} not final after {StuckAfter.TotalSeconds} s");
                return null;
            }

            await Task.Delay(5, _ct);
        }

        await SettleAsync();
        var cpu = new CpuMeter(_pid);
        var remaining = _o.Calibrate;
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                if ((await _api.TaskCodeAsync(submit.Id!, _ct)).Code != Codes.Success)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }, _ct)));
        if (cpu.ServerCpuSeconds() is not { } serverCpu)
        {
            return null;
        }

        var price = serverCpu * 1000 / _o.Calibrate;
        section.Add("poll_cpu_ms", price, "ms", $"server CPU of one detail GET ({_o.Calibrate} GETs of a finished task)");
        if (errors > 0)
        {
            _report.Error("curve", $"{errors} of {_o.Calibrate} calibration GETs did not answer code 0");
        }

        return price;
    }

    private static void AddThreads(Section point, JsonObject obj, Dictionary<string, double> before, Dictionary<string, double> after, double? serverCpu)
    {
        var delta = after.Select(kv => (Name: kv.Key, Cpu: kv.Value - before.GetValueOrDefault(kv.Key)))
            .Where(t => t.Cpu > 0).OrderByDescending(t => t.Cpu).ToList();
        var threads = new JsonObject();
        foreach (var (name, cpu) in delta)
        {
            threads[name] = Report.Round(cpu);
        }

        obj["server_threads_cpu_s"] = threads;
        // The tiered JIT's background thread: still compiling means the point is not in steady state yet.
        point.Add("jit_cpu_s", delta.Where(t => t.Name.StartsWith(".NET Tiered", StringComparison.Ordinal)).Sum(t => t.Cpu), "s",
            "server CPU of the tiered JIT compiler thread (part of server_cpu_s)");
        var sum = delta.Sum(t => t.Cpu);
        var text = string.Join(", ", delta.Take(8).Select(t => $"{t.Name} {t.Cpu:0.00}"));
        point.Add("server_threads", $"by live thread name, s ({sum:0.00} of {serverCpu ?? double.NaN:0.00}): {text}");
    }

    private static void AddLoopOutcome(Section section, ClosedLoopResult r)
    {
        section.Add("succeeded", r.Succeeded, "");
        section.Add("failed", r.Failed, "");
        section.Add("submit_errors", r.SubmitErrors, "");
        if (r.Late + r.Stuck + r.Lost + r.PollErrors + r.NotFoundSeen > 0 || r.TimedOut)
        {
            section.Add("late", r.Late, "", $"not final within {StuckAfter.TotalSeconds} s, final when re-checked");
            section.Add("stuck", r.Stuck, "", "still pending or in progress at the end");
            section.Add("lost", r.Lost, "", "accepted, then not found");
            section.Add("poll_errors", r.PollErrors, "");
            section.Add("not_found_seen", r.NotFoundSeen, "", "detail answered 1003 for an accepted task");
        }
    }

    private void CheckLoop(string scenario, ClosedLoopResult r)
    {
        if (r.Failed > 0 || r.SubmitErrors > 0 || r.Stuck > 0 || r.Lost > 0 || r.PollErrors > 0 || r.TimedOut)
        {
            _report.Error(scenario, $"{r.Failed} failed, {r.SubmitErrors} submit errors, {r.Stuck} stuck, {r.Lost} lost, {r.PollErrors} poll errors" +
                                    (r.TimedOut ? ", timed out" : "") + (r.Samples.Count > 0 ? "; e.g. " + string.Join(" | ", r.Samples.Take(3)) : ""));
        }
    }

    private static string Cell(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string Table(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IEnumerable<string> cells) =>
            sb.Append("  ").AppendJoin("  ", cells.Select((c, i) => c.PadLeft(widths[i]))).AppendLine();
        Line(header);
        foreach (var row in rows)
        {
            Line(row);
        }

        return sb.ToString();
    }
}
