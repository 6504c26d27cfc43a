using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemoteExecutor.Bench;

/// <summary>Entry point: parse flags, measure the spawn ceiling, start (or reach) the server, run the scenarios, report.</summary>
internal static class BenchMain
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = BenchOptions.Parse(args, out var error);
        if (o is null)
        {
            if (error is null)
            {
                Console.WriteLine(BenchOptions.Usage);
                return 0;
            }

            Console.Error.WriteLine($"bench: {error}\n\n{BenchOptions.Usage}");
            return 2;
        }

        using var cts = new CancellationTokenSource();
        void OnSignal(PosixSignalContext c)
        {
            c.Cancel = true;
            Console.Error.WriteLine($"[bench] {c.Signal}: stopping");
            cts.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var report = new Report();
        var repo = ServerProcess.FindRepo();
        Meta(report, o, repo);

        if (o.Runs("spawn"))
        {
            Console.WriteLine($"[bench] spawn ceiling: {o.Clients} parallel `bash -o pipefail script` loops for {o.SpawnSeconds} s");
            Scenarios.SpawnCeiling(o, report);
        }

        ServerProcess? server = null;
        var cancelled = false;
        try
        {
            Uri url;
            int? pid;
            string? token;
            if (o.Url is null)
            {
                var dll = await ServerProcess.EnsureBinaryAsync(repo, o.ServerDll, o.Build, cts.Token);
                if (dll is null)
                {
                    Console.Error.WriteLine("[bench] no server binary: build src/Silo in Release, or pass --server=path or --url=...");
                    return 3;
                }

                server = await ServerProcess.StartAsync(dll, o.PoolSize, o.Keep, cts.Token);
                url = server.Url;
                pid = server.Pid;
                token = server.Token;
            }
            else
            {
                url = o.Url;
                pid = o.Pid;
                token = o.Token;
            }

            using var api = new ApiClient(url, token);
            await ServerMeta(report, api, server, url, pid, o, cts.Token);
            var s = new Scenarios(api, o, report, pid, server?.Root, cts.Token);
            var steps = new (string Name, Func<Task> Run, string Says)[]
            {
                ("throughput", s.ThroughputAsync, $"{o.Tasks} single-step tasks from {o.Clients} clients (after {o.Warmup} warm-up tasks)"),
                ("curve", s.CurveAsync, $"closed-loop clients {string.Join(",", o.Curve)}, {o.CurveTasks} tasks per point"),
                ("latency", s.LatencyAsync, $"{o.Latency} sequential tasks, poll every {o.PollMs} ms"),
                ("dag", s.DagAsync, $"{o.Dag} diamond tasks of {o.DagWidth + 2} steps"),
                ("console", s.ConsoleAsync, $"one step `seq {o.ConsoleLines}`"),
                ("follow", s.FollowAsync, $"one step printing {o.FollowLines} timestamped lines 50 ms apart, followed over SSE"),
                ("memory", s.MemoryAsync, $"fill up to {o.Retained} retained tasks"),
                ("list", s.ListAsync, $"GET /api/v1/task x{o.ListReps}"),
                ("soak", s.SoakAsync, $"{o.SoakMinutes} min at " + (o.SoakRate is { } rate ? $"{rate} tasks/s" : "80 % of the curve's best tasks/s")),
            };
            foreach (var (name, run, says) in steps)
            {
                if (!o.Runs(name))
                {
                    continue;
                }

                Console.WriteLine($"[bench] {name}: {says}");
                var sw = Stopwatch.StartNew();
                try
                {
                    await s.SettleAsync();
                    await run();
                }
                catch (OperationCanceledException) when (cts.IsCancellationRequested)
                {
                    cancelled = true;
                    report.Error(name, "interrupted");
                    break;
                }
                catch (Exception ex)
                {
                    report.Error(name, $"{ex.GetType().Name}: {ex.Message}");
                }

                Console.WriteLine($"[bench] {name} done in {sw.Elapsed.TotalSeconds:0.0} s");
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            cancelled = true;
            report.Error("bench", "interrupted");
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            report.Error("server", ex.Message);
        }
        finally
        {
            if (server is not null)
            {
                var log = server.LogProblems();
                var section = report.Section("server_log");
                section.Add("warnings", log.Warnings, "", "[WRN] lines in the server console");
                section.Add("errors", log.Errors, "", "[ERR]/[FTL] lines");
                foreach (var (source, count) in log.BySource.OrderByDescending(kv => kv.Value).Take(6))
                {
                    section.Add(source, count, "", "warnings+errors from this source");
                }

                report.Root["server_log"]!["samples"] = new JsonArray([.. log.Samples.Select(x => (JsonNode?)JsonValue.Create(x))]);
                foreach (var line in log.Samples)
                {
                    Console.WriteLine($"[bench] server log: {line}");
                }

                await server.DisposeAsync();
            }
        }

        report.Root["machine"]!["loadavg_end"] = ProcStats.LoadAverage();
        Targets(report, o);
        var ok = report.ErrorCount == 0;
        report.Root["ok"] = ok;
        var json = report.ToJsonLine();
        Console.WriteLine();
        Console.WriteLine(report.ToTable());
        Console.WriteLine("BENCH_JSON " + json);
        if (o.Out is not null)
        {
            await File.AppendAllTextAsync(o.Out, json + "\n", CancellationToken.None);
            Console.WriteLine($"[bench] appended to {o.Out}");
        }

        Console.WriteLine(ok ? "[bench] OK" : $"[bench] FAILED: {report.ErrorCount} error(s)");
        return cancelled ? 130 : ok ? 0 : 1;
    }

    private static void Meta(Report report, BenchOptions o, string? repo)
    {
        var root = report.Root;
        root["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        root["smoke"] = o.Smoke;
        root["machine"] = new JsonObject
        {
            ["cores"] = Environment.ProcessorCount,
            ["kernel"] = ProcStats.Kernel(),
            ["cpu_model"] = ProcStats.CpuModel(),
            ["mem_total_mb"] = ProcStats.MemTotalMb(),
            ["dotnet"] = RuntimeInformation.FrameworkDescription,
            ["loadavg_start"] = ProcStats.LoadAverage(),
        };
        root["commit"] = repo is null ? null : Git(repo, "rev-parse", "--short", "HEAD");
        // Other engineers edit src/ concurrently: say whether the measured tree differs from the commit.
        var dirty = repo is null ? [] : (Git(repo, "status", "--porcelain", "--", "src") ?? "")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        root["src_dirty"] = repo is null ? null : dirty.Length > 0;
        root["src_dirty_files"] = new JsonArray([.. dirty.Take(20).Select(f => (JsonNode?)JsonValue.Create(f))]);
        root["options"] = new JsonObject
        {
            ["clients"] = o.Clients,
            ["pool_size"] = o.PoolSize,
            ["spawn_seconds"] = o.SpawnSeconds,
            ["warmup"] = o.Warmup,
            ["tasks"] = o.Tasks,
            ["latency"] = o.Latency,
            ["poll_ms"] = o.PollMs,
            ["dag"] = o.Dag,
            ["dag_width"] = o.DagWidth,
            ["console_lines"] = o.ConsoleLines,
            ["retained"] = o.Retained,
            ["list_reps"] = o.ListReps,
            ["pollers"] = o.Pollers,
            ["follow_lines"] = o.FollowLines,
            ["curve"] = new JsonArray([.. o.Curve.Select(c => (JsonNode?)c)]),
            ["curve_tasks"] = o.CurveTasks,
            ["calibrate"] = o.Calibrate,
            ["curve_warmup"] = o.CurveWarmup,
            ["soak_minutes"] = o.Runs("soak") ? o.SoakMinutes : null,
            ["soak_rate"] = o.Runs("soak") ? o.SoakRate : null,
            ["soak_clients"] = o.Runs("soak") ? o.SoakClients : null,
            ["scenarios"] = string.Join(",", BenchOptions.AllScenarios.Where(o.Runs)),
        };
        Console.WriteLine($"[bench] {root["date"]} {Environment.ProcessorCount} cores, {ProcStats.CpuModel()}, kernel {ProcStats.Kernel()}, load {ProcStats.LoadAverage()}, commit {root["commit"]}" +
                          (root["src_dirty"]?.GetValue<bool>() == true ? " (src/ has uncommitted changes)" : ""));
    }

    private static async Task ServerMeta(Report report, ApiClient api, ServerProcess? server, Uri url, int? pid, BenchOptions o, CancellationToken ct)
    {
        var info = new JsonObject
        {
            ["url"] = url.ToString(),
            ["started_by_bench"] = server is not null,
            ["pid"] = pid,
            ["pool_size"] = server is not null ? o.PoolSize : null,
            ["binary"] = server?.Dll,
            ["binary_mtime"] = server is null ? null : File.GetLastWriteTimeUtc(server.Dll).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        };
        try
        {
            var (_, body) = await api.GetAsync("version", TimeSpan.FromSeconds(10), ct);
            info["version"] = JsonNode.Parse(body)?["data"]?.DeepClone();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or OperationCanceledException)
        {
            info["version"] = null;
        }

        if (await api.PoolAsync(ct) is { } pool)
        {
            info["pool_size"] = pool.Size;
        }

        if (pid is { } p && ProcStats.Memory(p) is { } m)
        {
            info["idle_rss_mb"] = Math.Round(m.RssMb, 1);
        }

        report.Root["server"] = info;
    }

    private static void Targets(Report report, BenchOptions o)
    {
        double? Num(string section, string key) =>
            report.Root[section]?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                ? double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture)
                : null;

        if (o.Runs("throughput") && o.Runs("spawn"))
        {
            report.Target("throughput_vs_spawn", Num("throughput", "tasks_per_s_vs_spawn"), ">=", 0.5, "x spawn ceiling");
        }

        if (o.Runs("latency"))
        {
            report.Target("latency_p50_ms", Num("latency", "p50_ms"), "<=", 15, "ms");
            report.Target("latency_p99_ms", Num("latency", "p99_ms"), "<=", 50, "ms");
        }

        if (o.Runs("curve"))
        {
            // The issue's targets: half the spawn ceiling at 16 clients, p50/p99 at one client, server CPU per task.
            double? Point(int clients, string key) =>
                o.Curve.Contains(clients) && report.Root["curve"]?["points"] is JsonArray points
                    ? points.FirstOrDefault(p => p?["clients"]?.ToJsonString() == clients.ToString(CultureInfo.InvariantCulture))?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                        ? double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture)
                        : null
                    : null;

            if (o.Curve.Contains(16))
            {
                report.Target("curve_16_vs_spawn", Point(16, "tasks_per_s_vs_spawn"), ">=", 0.5, "x spawn ceiling (16 clients)");
            }

            if (o.Curve.Contains(1))
            {
                report.Target("curve_1_p50_ms", Point(1, "p50_ms"), "<=", 10, "ms (1 client)");
                report.Target("curve_1_p99_ms", Point(1, "p99_ms"), "<=", 30, "ms (1 client)");
            }

            // At 16 clients (the throughput point), else the largest point of a shorter curve.
            var cpuAt = o.Curve.Contains(16) ? 16 : o.Curve.Max();
            report.Target("server_cpu_ms_per_task", Point(cpuAt, "server_cpu_ms_per_task_net") ?? Point(cpuAt, "server_cpu_ms_per_task"), "<=", 3,
                $"ms ({cpuAt} clients, net of polls)");
        }

        if (o.Runs("soak"))
        {
            report.Target("soak_rss_growth_pct", Num("soak", "rss_growth_pct"), "<", 10, "% (last minute vs minute 2)");
        }

        if (o.Runs("console"))
        {
            report.Target("console_run_s", Num("console", "run_s"), "<=", 5, "s");
            report.Target("console_read_s", Num("console", "read_s"), "<=", 5, "s");
            report.Target("console_lines_lost", Num("console", "lines_lost"), "<=", 0, "lines");
        }

        if (o.Runs("follow"))
        {
            report.Target("follow_p50_ms", Num("follow", "p50_ms"), "<=", 250, "ms");
            report.Target("follow_lines_lost", Num("follow", "lines_lost"), "<=", 0, "lines");
        }

        if (o.Runs("throughput"))
        {
            report.Target("peak_rss_mb", Num("throughput", "peak_rss_mb"), "<=", 400, "MB");
        }

        if (o.Runs("list"))
        {
            report.Target("list_ms", Num("list", "median_ms"), "<=", 500, "ms");
        }
    }

    private static string? Git(string repo, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
