using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RemoteExecutor.Silo.Cli.Client;

namespace RemoteExecutor.Bench;

/// <summary>The benchmark scenarios; each writes its figures into its own section of the report.</summary>
internal sealed partial class Scenarios
{
    /// <summary>One step running <c>true</c>: the cheapest possible task.</summary>
    public const string TrueTask = """[{"command_type":"bash","command_content":"true"}]""";

    private static readonly string[] DependsOnA = ["a"];

    private readonly ApiClient _api;
    private readonly BenchOptions _o;
    private readonly Report _report;
    private readonly int? _pid;
    private readonly string? _serverRoot;
    private readonly CancellationToken _ct;

    public Scenarios(ApiClient api, BenchOptions options, Report report, int? pid, string? serverRoot, CancellationToken ct)
    {
        _api = api;
        _o = options;
        _report = report;
        _pid = pid;
        _serverRoot = serverRoot;
        _ct = ct;
    }

    // ---------------------------------------------------------------- spawn ceiling

    /// <summary>
    /// The machine's own rate of spawning <c>bash -o pipefail script</c> (script = <c>true</c>), stdout and stderr
    /// redirected and drained like an executor must, with the same concurrency as the submitting clients.
    /// </summary>
    public static void SpawnCeiling(BenchOptions o, Report report)
    {
        var section = report.Section("spawn");
        var dir = Directory.CreateTempSubdirectory("re-bench-spawn-").FullName;
        try
        {
            var script = Path.Combine(dir, "script.sh");
            File.WriteAllText(script, "true\n");
            var failures = 0;

            for (var i = 0; i < 5; i++)
            {
                failures += SpawnOne(script) ? 0 : 1;
            }

            var sequential = new List<double>();
            var seqCount = o.Smoke ? 20 : 100;
            for (var i = 0; i < seqCount; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                failures += SpawnOne(script) ? 0 : 1;
                sequential.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            var cpu = new CpuMeter(null);
            long count = 0;
            var start = Stopwatch.GetTimestamp();
            var until = TimeSpan.FromSeconds(o.SpawnSeconds);
            var threads = Enumerable.Range(0, o.Clients).Select(_ => new Thread(() =>
            {
                while (Stopwatch.GetElapsedTime(start) < until)
                {
                    if (SpawnOne(script))
                    {
                        Interlocked.Increment(ref count);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            })
            { IsBackground = true }).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var rate = count / elapsed;

            section.Add("concurrency", o.Clients, "threads");
            section.Add("processes", count, "", $"in {elapsed:0.00} s");
            section.Add("per_s", rate, "proc/s", "the ceiling every rate is compared with");
            section.Add("seq_p50_ms", Percentile.Of(sequential, 50), "ms", "one spawn at a time: floor for task latency");
            section.Add("seq_p99_ms", Percentile.Of(sequential, 99), "ms");
            section.Add("failures", failures, "");
            cpu.Report(section);
            report.SpawnRate = rate;
            if (failures > 0)
            {
                report.Error("spawn", $"{failures} spawns of bash failed");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool SpawnOne(string script)
    {
        var psi = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add("pipefail");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    // ---------------------------------------------------------------- throughput

    public async Task ThroughputAsync()
    {
        var section = _report.Section("throughput");
        if (_o.Warmup > 0)
        {
            var w = await Batch.RunAsync(_api, _o.Warmup, TrueTask, "", _o.Clients, _o.Pollers, _o.WaitTimeout, samplePool: false, _ct);
            section.Add("warmup_tasks", w.Succeeded, "", $"unmeasured, {w.TotalSeconds:0.0} s");
            CheckBatch("throughput warm-up", w);
            await SettleAsync();
        }

        var resetPeak = _pid is { } p && ProcStats.ResetPeak(p);
        await using var rss = _pid is { } pid ? new RssSampler(pid, TimeSpan.FromMilliseconds(100)) : null;
        var cpu = new CpuMeter(_pid);
        var r = await Batch.RunAsync(_api, _o.Tasks, TrueTask, "", _o.Clients, _o.Pollers, _o.WaitTimeout, samplePool: true, _ct);
        AddBatch(section, r, stepsPerTask: 1);
        if (_pid is { } id && ProcStats.Memory(id) is { } m)
        {
            section.Add("peak_rss_mb", resetPeak ? m.HwmMb : rss!.MaxRssMb, "MB",
                resetPeak ? "VmHWM, reset before the run" : "max VmRSS sampled every 100 ms (VmHWM reset not allowed)");
            section.Add("sampled_max_rss_mb", rss!.MaxRssMb, "MB", "VmRSS sampled every 100 ms", show: false);
            section.Add("rss_after_mb", m.RssMb, "MB", "VmRSS when the last task was seen finished");
        }

        cpu.Report(section);
        if (section.Get("server_cpu_s") is { } serverCpu && r.Succeeded > 0)
        {
            section.Add("server_cpu_ms_per_task", serverCpu * 1000 / r.Succeeded, "ms", "server CPU (not the step's) per task");
        }

        CheckBatch("throughput", r);
    }

    // ---------------------------------------------------------------- latency

    public async Task LatencyAsync()
    {
        var section = _report.Section("latency");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        deadline.CancelAfter(_o.WaitTimeout);
        var token = deadline.Token;
        var samples = new List<double>();
        var submits = new List<double>();
        long polls = 0;
        var failures = 0;
        for (var i = -2; i < _o.Latency; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var submit = await _api.SubmitAsync(TrueTask, "", token);
            if (i >= 0)
            {
                submits.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }

            if (!submit.Ok)
            {
                failures++;
                _report.Error("latency", $"submit: HTTP {submit.Status} code {submit.Code} {submit.Message}");
                continue;
            }

            while (true)
            {
                var (status, code, message) = await _api.TaskCodeAsync(submit.Id!, token);
                polls += i >= 0 ? 1 : 0;
                if (Codes.IsFinal(code))
                {
                    if (code != Codes.Success)
                    {
                        failures++;
                        _report.Error("latency", $"task {submit.Id} failed: {message}");
                    }

                    break;
                }

                if (code is not (Codes.Pending or Codes.InProgress or Codes.Paused))
                {
                    _report.Error("latency", $"detail of {submit.Id}: HTTP {status} code {code} {message}");
                    failures++;
                    break;
                }

                if (_o.PollMs > 0)
                {
                    await Task.Delay(_o.PollMs, token);
                }
            }

            if (i >= 0)
            {
                samples.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
        }

        section.Add("tasks", samples.Count, "", "sequential, after 2 warm-up tasks");
        section.Add("p50_ms", Percentile.Of(samples, 50), "ms", "submit to finished (as seen by polling detail)");
        section.Add("p95_ms", Percentile.Of(samples, 95), "ms");
        section.Add("p99_ms", Percentile.Of(samples, 99), "ms");
        section.Add("max_ms", samples.Count == 0 ? double.NaN : samples.Max(), "ms");
        section.Add("mean_ms", samples.Count == 0 ? double.NaN : samples.Average(), "ms");
        section.Add("submit_p50_ms", Percentile.Of(submits, 50), "ms", "the POST alone (part of the above)");
        section.Add("submit_p99_ms", Percentile.Of(submits, 99), "ms");
        section.Add("polls_per_task", samples.Count == 0 ? 0 : (double)polls / samples.Count, "", $"poll pause {_o.PollMs} ms");
        if (_report.Root["spawn"]?["seq_p50_ms"] is { } spawnMs && samples.Count > 0)
        {
            section.Add("p50_vs_spawn_p50", Percentile.Of(samples, 50) / spawnMs.GetValue<double>(), "x", "task latency / bare spawn latency");
        }

        section.Add("failures", failures, "");
    }

    // ---------------------------------------------------------------- DAG

    public async Task DagAsync()
    {
        var section = _report.Section("dag");
        var middle = Enumerable.Range(1, _o.DagWidth).Select(i => $"m{i}").ToList();
        var steps = new List<object> { new { name = "a", command_type = "bash", command_content = "true" } };
        steps.AddRange(middle.Select(m => new { name = m, command_type = "bash", command_content = "true", depends_on = DependsOnA }));
        steps.Add(new { name = "z", command_type = "bash", command_content = "true", depends_on = middle.ToArray() });
        var body = JsonSerializer.Serialize(steps);
        var stepsPerTask = _o.DagWidth + 2;

        var cpu = new CpuMeter(_pid);
        var r = await Batch.RunAsync(_api, _o.Dag, body, "?async=true", _o.Clients, _o.Pollers, _o.WaitTimeout, samplePool: true, _ct);
        section.Add("shape", $"a -> {_o.DagWidth} parallel -> z ({stepsPerTask} steps), async=true");
        AddBatch(section, r, stepsPerTask);
        cpu.Report(section);
        CheckBatch("dag", r);
    }

    // ---------------------------------------------------------------- console

    public async Task ConsoleAsync()
    {
        var section = _report.Section("console");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        deadline.CancelAfter(_o.WaitTimeout);
        var token = deadline.Token;
        var n = _o.ConsoleLines;
        var body = JsonSerializer.Serialize(new[] { new { name = "out", command_type = "bash", command_content = $"seq {n}" } });
        section.Add("lines_expected", n, "");

        await using var rss = _pid is { } pid ? new RssSampler(pid, TimeSpan.FromMilliseconds(50)) : null;
        var cpu = new CpuMeter(_pid);
        var t0 = Stopwatch.GetTimestamp();
        var submit = await _api.SubmitAsync(body, "", token);
        if (!submit.Ok)
        {
            _report.Error("console", $"submit: HTTP {submit.Status} code {submit.Code} {submit.Message}");
            return;
        }

        int code;
        string message;
        while (true)
        {
            (_, code, message) = await _api.TaskCodeAsync(submit.Id!, token);
            if (Codes.IsFinal(code) || code is not (Codes.Pending or Codes.InProgress or Codes.Paused))
            {
                break;
            }

            await Task.Delay(10, token);
        }

        var runSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        section.Add("run_s", runSeconds, "s", "submit to finished");
        section.Add("capture_lines_per_s", n / runSeconds, "lines/s");
        if (code != Codes.Success)
        {
            _report.Error("console", $"task {submit.Id} ended with code {code}: {message}");
        }

        var t1 = Stopwatch.GetTimestamp();
        var (status, buffer) = await _api.GetStreamedAsync($"api/v1/task/{Uri.EscapeDataString(submit.Id!)}/out/console", TimeSpan.FromMinutes(10), token);
        var readSeconds = Stopwatch.GetElapsedTime(t1).TotalSeconds;
        using (buffer)
        {
            var t2 = Stopwatch.GetTimestamp();
            var check = CheckConsole(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            var parseSeconds = Stopwatch.GetElapsedTime(t2).TotalSeconds;
            section.Add("read_s", readSeconds, "s", $"GET console, HTTP {status}, whole body received");
            section.Add("parse_s", parseSeconds, "s", "client-side JSON check (not in read_s)", show: false);
            section.Add("response_mb", buffer.Length / 1048576.0, "MB");
            section.Add("total_s", runSeconds + readSeconds, "s", "submit to all lines read back");
            section.Add("lines_returned", check.Count, "", check.Count == n ? "exact" : $"expected {n}");
            section.Add("lines_lost", Math.Max(0, n - check.Correct), "", "missing, misnumbered or wrong content");
            section.Add("first", check.First ?? "(none)");
            section.Add("last", check.Last ?? "(none)");
            section.Add("envelope_code", check.Code, "");
            cpu.Report(section);
            if (rss is not null)
            {
                section.Add("server_max_rss_mb", rss.MaxRssMb, "MB", "VmRSS sampled every 50 ms during run + read");
            }

            var expectedLast = n.ToString(CultureInfo.InvariantCulture);
            if (check.Count != n || check.Correct != n || check.First != "1" || check.Last != expectedLast || check.Code != Codes.Success)
            {
                _report.Error("console", $"console not exact: {check.Count} lines returned, {check.Correct} correct, " +
                                         $"first \"{check.First}\", last \"{check.Last}\" (expected {n}, \"1\", \"{expectedLast}\"), code {check.Code}, " +
                                         $"{check.BadNumber} misnumbered, {check.BadContent} wrong content");
            }
        }
    }

    internal readonly record struct ConsoleCheck(int Code, long Count, long Correct, long BadNumber, long BadContent, string? First, string? Last);

    /// <summary>Streams through the console envelope: counts lines and checks line i is numbered i and reads "i" (seq output).</summary>
    internal static ConsoleCheck CheckConsole(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        int code = -1;
        long count = 0, correct = 0, badNumber = 0, badContent = 0;
        string? first = null, lastBad = null;
        var lastOk = false;
        var inData = false;
        Span<byte> expected = stackalloc byte[24];
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
            {
                if (reader.ValueTextEquals("code"u8))
                {
                    reader.Read();
                    code = reader.GetInt32();
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    inData = reader.TokenType == JsonTokenType.StartArray;
                    if (!inData)
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            else if (inData && reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == 2)
            {
                long line = -1;
                var contentOk = false;
                string? content = null;
                count++;
                count.TryFormat(expected, out var len, provider: CultureInfo.InvariantCulture);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    if (reader.ValueTextEquals("line"u8))
                    {
                        reader.Read();
                        line = reader.GetInt64();
                    }
                    else if (reader.ValueTextEquals("content"u8))
                    {
                        reader.Read();
                        contentOk = reader.ValueTextEquals(expected[..len]);
                        // A string only when it is not the expected number (no allocation per line otherwise).
                        content = contentOk ? null : reader.GetString();
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (count == 1)
                {
                    first = contentOk ? "1" : content;
                }

                lastOk = contentOk;
                lastBad = content;

                badNumber += line == count ? 0 : 1;
                badContent += contentOk ? 0 : 1;
                correct += line == count && contentOk ? 1 : 0;
            }
            else if (inData && reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 1)
            {
                inData = false;
            }
        }

        var last = count == 0 ? null : lastOk ? count.ToString(CultureInfo.InvariantCulture) : lastBad;
        return new ConsoleCheck(code, count, correct, badNumber, badContent, first, last);
    }

    // ---------------------------------------------------------------- memory (retained tasks)

    public async Task MemoryAsync()
    {
        var section = _report.Section("memory");
        var existing = await ListTotalAsync();
        var need = (int)Math.Max(0, _o.Retained - existing);
        section.Add("tasks_before", existing, "", "tasks already retained by the server");
        if (need > 0)
        {
            var cpu = new CpuMeter(_pid);
            var r = await Batch.RunAsync(_api, need, TrueTask, "", _o.Clients, _o.Pollers, _o.WaitTimeout, samplePool: false, _ct);
            section.Add("fill_tasks", r.Succeeded, "", "more `true` tasks submitted to reach the retained count");
            section.Add("fill_tasks_per_s", r.TotalSeconds > 0 ? r.Succeeded / r.TotalSeconds : double.NaN, "tasks/s", "throughput with a growing store", rate: true);
            section.Add("fill_submit_per_s", r.SubmitSeconds > 0 ? r.Submitted / r.SubmitSeconds : double.NaN, "req/s", rate: true);
            section.Add("fill_failed", r.Failed + r.SubmitErrors + r.Unfinished, "");
            cpu.Report(section);
            CheckBatch("memory", r);
        }

        await SettleAsync();
        await Task.Delay(TimeSpan.FromSeconds(2), _ct);
        var retained = await ListTotalAsync();
        section.Add("tasks_retained", retained, "");
        if (_pid is { } pid && ProcStats.Memory(pid) is { } m)
        {
            section.Add("rss_mb", m.RssMb, "MB", $"VmRSS with {retained} tasks retained, idle");
            section.Add("hwm_mb", m.HwmMb, "MB", "VmHWM since the throughput reset (includes console)");
        }

        if (_serverRoot is not null && Directory.Exists(Path.Combine(_serverRoot, "data")))
        {
            var bytes = new DirectoryInfo(Path.Combine(_serverRoot, "data")).EnumerateFiles().Sum(f => f.Length);
            section.Add("data_dir_mb", bytes / 1048576.0, "MB", "<root>/data (SQLite + WAL), console lines included");
        }

        if (retained < _o.Retained)
        {
            _report.Error("memory", $"only {retained} tasks retained, wanted {_o.Retained}");
        }
    }

    private async Task<long> ListTotalAsync()
    {
        var (status, body) = await _api.GetAsync("api/v1/task", TimeSpan.FromMinutes(2), _ct);
        var envelope = ApiEnvelope.TryRead(body);
        if (status != 200 || envelope?.Code != 0)
        {
            throw new InvalidOperationException($"list answered HTTP {status}: {envelope?.Message}");
        }

        return envelope.Data.GetProperty("total").GetInt64();
    }

    // ---------------------------------------------------------------- list

    public async Task ListAsync()
    {
        // The list pages (at most 1000 rows a page, ?page=&size=): a rep walks every page, as a client that wants
        // every retained task must.
        var section = _report.Section("list");
        var times = new List<double>();
        long size = 0;
        long total = 0;
        long rows = 0;
        var pages = 0;
        for (var i = 0; i < _o.ListReps; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            (size, total, rows, pages) = (0, 0, 0, 0);
            do
            {
                pages++;
                var (status, body) = await _api.GetAsync($"api/v1/task?page={pages}&size=1000", TimeSpan.FromMinutes(2), _ct);
                if (status != 200)
                {
                    _report.Error("list", $"HTTP {status} on page {pages}");
                    break;
                }

                var data = ApiEnvelope.TryRead(body)?.Data ?? throw new JsonException("the list answer is not an envelope");
                total = data.GetProperty("total").GetInt64();
                var count = data.GetProperty("tasks").GetArrayLength();
                rows += count;
                size += body.Length;
                if (count == 0)
                {
                    break;
                }
            }
            while (rows < total);

            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        section.Add("tasks", total, "", rows == total ? $"total = rows returned, in {pages} pages of at most 1000" : $"but {rows} rows returned");
        section.Add("median_ms", Percentile.Of(times, 50), "ms", $"every page of GET /api/v1/task, median of {times.Count}");
        section.Add("min_ms", times.Min(), "ms");
        section.Add("max_ms", times.Max(), "ms");
        section.Add("response_mb", size / 1048576.0, "MB");
        section.Add("bytes_per_task", total == 0 ? 0 : (double)size / total, "B");
        if (rows != total)
        {
            _report.Error("list", $"total {total} but {rows} rows");
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Waits (up to 30 s) until the pool has nothing running or waiting, then a short pause.</summary>
    public async Task SettleAsync()
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await _api.PoolAsync(_ct) is not { } p || (p.Running == 0 && p.Waiting == 0))
            {
                break;
            }

            await Task.Delay(50, _ct);
        }

        await Task.Delay(300, _ct);
    }

    private void AddBatch(Section section, BatchResult r, int stepsPerTask)
    {
        section.Add("tasks", r.Requested, "", $"{_o.Clients} clients");
        if (stepsPerTask > 1)
        {
            section.Add("steps", (long)r.Requested * stepsPerTask, "");
        }

        section.Add("elapsed_s", r.TotalSeconds, "s", "first submit to last finished");
        section.Add("tasks_per_s", r.TotalSeconds > 0 ? r.Succeeded / r.TotalSeconds : double.NaN, "tasks/s", rate: stepsPerTask == 1);
        if (stepsPerTask > 1)
        {
            section.Add("steps_per_s", r.TotalSeconds > 0 ? (double)r.Succeeded * stepsPerTask / r.TotalSeconds : double.NaN, "steps/s", rate: true);
        }

        section.Add("submit_per_s", r.SubmitSeconds > 0 ? r.Submitted / r.SubmitSeconds : double.NaN, "req/s", "POST rate alone", rate: true);
        section.Add("submit_p50_ms", Percentile.Of(r.SubmitLatenciesMs, 50), "ms");
        section.Add("submit_p99_ms", Percentile.Of(r.SubmitLatenciesMs, 99), "ms");
        section.Add("succeeded", r.Succeeded, "");
        section.Add("failed", r.Failed, "");
        section.Add("submit_errors", r.SubmitErrors, "");
        section.Add("unfinished", r.Unfinished, "", r.TimedOut ? "timed out" : null);
        section.Add("detail_polls", r.PollRequests, "", "detail requests made while waiting");
        if (r.PollErrors > 0 || r.NotFoundSeen > 0)
        {
            section.Add("poll_errors", r.PollErrors, "");
            section.Add("not_found_after_submit", r.NotFoundSeen, "");
        }

        if (r.PoolMaxRunning >= 0)
        {
            section.Add("pool_max_running", r.PoolMaxRunning, "", $"pool size {_o.PoolSize} (GET /api/v1/pool every 250 ms)");
            section.Add("pool_max_waiting", r.PoolMaxWaiting, "");
            section.Add("pool_avg_running", r.PoolAvgRunning, "");
        }
    }

    private void CheckBatch(string scenario, BatchResult r)
    {
        if (r.Failed > 0 || r.SubmitErrors > 0 || r.Unfinished > 0 || r.PollErrors > 0)
        {
            _report.Error(scenario, $"{r.Failed} failed, {r.SubmitErrors} submit errors, {r.Unfinished} unfinished, {r.PollErrors} poll errors" +
                                    (r.Samples.Count > 0 ? "; e.g. " + string.Join(" | ", r.Samples.Take(3)) : ""));
        }
    }
}
