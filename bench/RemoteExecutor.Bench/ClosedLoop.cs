using System.Diagnostics;

namespace RemoteExecutor.Bench;

/// <summary>
/// How a closed-loop run goes: <see cref="Clients"/> clients, each submits one task and polls its detail (pause
/// <see cref="PollMs"/>) until it is final before it submits the next. Either <see cref="Measured"/> tasks in all,
/// as fast as the clients go, or paced: one submit slot every 1/<see cref="Rate"/> s for <see cref="Duration"/>.
/// </summary>
internal sealed record ClosedLoopPlan(
    int Clients,
    int Measured,
    bool WarmFirst,
    int PollMs,
    TimeSpan StuckAfter,
    TimeSpan Timeout,
    double? Rate = null,
    TimeSpan? Duration = null);

/// <summary>Figures of one closed-loop run; the counters may be read while it runs (per-minute samples).</summary>
internal sealed class ClosedLoopResult
{
    private readonly Lock _lock = new();
    private readonly List<double> _latencies = [];
    private readonly List<double> _submits = [];
    private long _firstSubmit = long.MaxValue;
    private long _lastFinish = long.MinValue;
    private int _succeeded;
    private int _failed;
    private int _submitErrors;
    private int _warm;
    private long _polls;
    private long _pollErrors;
    private long _notFoundSeen;
    private int _missedSlots;
    private int _submitted;

    /// <summary>Measured tasks that ended with code 0.</summary>
    public int Succeeded => Volatile.Read(ref _succeeded);

    /// <summary>Measured tasks that ended with code 1002.</summary>
    public int Failed => Volatile.Read(ref _failed);

    public int SubmitErrors => Volatile.Read(ref _submitErrors);

    /// <summary>Measured tasks accepted by the server.</summary>
    public int Submitted => Volatile.Read(ref _submitted);

    /// <summary>Unmeasured tasks (each client's first, when asked): they count for CPU per task, not for rates.</summary>
    public int Warm => Volatile.Read(ref _warm);

    public long Polls => Interlocked.Read(ref _polls);
    public long PollErrors => Interlocked.Read(ref _pollErrors);
    public long NotFoundSeen => Interlocked.Read(ref _notFoundSeen);

    /// <summary>Paced runs: slots skipped because every client was still waiting for a task more than 1 s after the slot.</summary>
    public int MissedSlots => Volatile.Read(ref _missedSlots);

    /// <summary>Tasks not final within the stuck limit that became final while re-checked at the end.</summary>
    public int Late { get; set; }

    /// <summary>Tasks still not final at the end (the detail answered pending/in progress).</summary>
    public int Stuck { get; set; }

    /// <summary>Tasks the detail no longer (or never) found after they were accepted.</summary>
    public int Lost { get; set; }

    public bool TimedOut { get; set; }

    public List<string> Samples { get; } = [];

    /// <summary>Seconds from the first measured submit to the last measured task seen finished.</summary>
    public double Seconds => _lastFinish == long.MinValue ? double.NaN : Stopwatch.GetElapsedTime(_firstSubmit, _lastFinish).TotalSeconds;

    public double TasksPerSecond => Seconds > 0 ? (Succeeded + Failed) / Seconds : double.NaN;

    public List<double> LatenciesMs
    {
        get
        {
            lock (_lock)
            {
                return [.. _latencies];
            }
        }
    }

    public List<double> SubmitMs
    {
        get
        {
            lock (_lock)
            {
                return [.. _submits];
            }
        }
    }

    /// <summary>Measured tasks seen final so far (succeeded or failed).</summary>
    public int Finished => Succeeded + Failed;

    public void Sample(string what)
    {
        lock (_lock)
        {
            if (Samples.Count < 8)
            {
                Samples.Add(what);
            }
        }
    }

    internal void Submit(bool warm, long at, double ms)
    {
        if (warm)
        {
            return;
        }

        Interlocked.Increment(ref _submitted);
        lock (_lock)
        {
            _submits.Add(ms);
            _firstSubmit = Math.Min(_firstSubmit, at);
        }
    }

    internal void Finish(bool warm, bool success, long at, double latencyMs)
    {
        if (warm)
        {
            Interlocked.Increment(ref _warm);
            return;
        }

        Interlocked.Increment(ref success ? ref _succeeded : ref _failed);
        lock (_lock)
        {
            _latencies.Add(latencyMs);
            _lastFinish = Math.Max(_lastFinish, at);
        }
    }

    internal void LateFinish(bool success)
    {
        Interlocked.Increment(ref success ? ref _succeeded : ref _failed);
        Late++;
    }

    internal void SubmitError() => Interlocked.Increment(ref _submitErrors);

    internal void Poll() => Interlocked.Increment(ref _polls);

    internal void PollError() => Interlocked.Increment(ref _pollErrors);

    internal void NotFound() => Interlocked.Increment(ref _notFoundSeen);

    internal void MissedSlot() => Interlocked.Increment(ref _missedSlots);
}

/// <summary>Runs a <see cref="ClosedLoopPlan"/>: the curve's points and the soak.</summary>
internal static class ClosedLoop
{
    private static readonly TimeSpan SlotTolerance = TimeSpan.FromSeconds(1);

    private enum Outcome
    {
        Success,
        Failed,
        SubmitError,
        Abandoned,
    }

    public static async Task<ClosedLoopResult> RunAsync(ApiClient api, string stepsJson, ClosedLoopPlan plan, ClosedLoopResult? into, CancellationToken ct)
    {
        var result = into ?? new ClosedLoopResult();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(plan.Timeout);
        var token = deadline.Token;
        var suspects = new List<string>();
        long next = -1;
        var start = Stopwatch.GetTimestamp();

        async Task ClientAsync()
        {
            if (plan.WarmFirst)
            {
                await OneAsync(warm: true);
            }

            while (!token.IsCancellationRequested)
            {
                var ticket = Interlocked.Increment(ref next);
                if (plan.Rate is { } rate)
                {
                    var due = TimeSpan.FromSeconds(ticket / rate);
                    if (due >= plan.Duration)
                    {
                        return;
                    }

                    var wait = due - Stopwatch.GetElapsedTime(start);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, token);
                    }
                    else if (-wait > SlotTolerance)
                    {
                        result.MissedSlot();
                        continue;
                    }
                }
                else if (ticket >= plan.Measured)
                {
                    return;
                }

                await OneAsync(warm: false);
            }
        }

        async Task OneAsync(bool warm)
        {
            var t0 = Stopwatch.GetTimestamp();
            var submit = await api.SubmitAsync(stepsJson, "", token);
            var t1 = Stopwatch.GetTimestamp();
            if (!submit.Ok)
            {
                if (!token.IsCancellationRequested)
                {
                    result.SubmitError();
                    result.Sample($"submit: HTTP {submit.Status} code {submit.Code} {submit.Message}");
                }

                return;
            }

            result.Submit(warm, t0, Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            try
            {
                var (outcome, at) = await WaitAsync(api, submit.Id!, result, plan.PollMs, plan.StuckAfter, token);
                if (outcome == Outcome.Abandoned)
                {
                    lock (suspects)
                    {
                        suspects.Add(submit.Id!);
                    }
                }
                else
                {
                    result.Finish(warm, outcome == Outcome.Success, at, Stopwatch.GetElapsedTime(t0, at).TotalMilliseconds);
                }
            }
            catch (OperationCanceledException)
            {
                lock (suspects)
                {
                    suspects.Add(submit.Id!);
                }

                throw;
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, plan.Clients).Select(_ => Task.Run(ClientAsync, CancellationToken.None)));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            result.TimedOut = true;
            result.Sample($"gave up after {plan.Timeout.TotalSeconds} s");
        }

        await RecheckAsync(api, suspects, result, plan, ct);
        return result;
    }

    /// <summary>Polls one task until it is final, or gives up after <paramref name="stuckAfter"/>.</summary>
    private static async Task<(Outcome Outcome, long At)> WaitAsync(
        ApiClient api, string id, ClosedLoopResult result, int pollMs, TimeSpan stuckAfter, CancellationToken token)
    {
        var since = Stopwatch.GetTimestamp();
        while (true)
        {
            var (status, code, message) = await api.TaskCodeAsync(id, token);
            var now = Stopwatch.GetTimestamp();
            result.Poll();
            switch (code)
            {
                case Codes.Success:
                    return (Outcome.Success, now);
                case Codes.Failed:
                    result.Sample($"task {id} failed: {message}");
                    return (Outcome.Failed, now);
                case Codes.Pending or Codes.InProgress or Codes.Paused:
                    break;
                case Codes.NotFound:
                    result.NotFound();
                    break;
                default:
                    result.PollError();
                    result.Sample($"detail {id}: HTTP {status} code {code} {message}");
                    break;
            }

            if (Stopwatch.GetElapsedTime(since) > stuckAfter)
            {
                return (Outcome.Abandoned, now);
            }

            if (pollMs > 0)
            {
                await Task.Delay(pollMs, token);
            }
        }
    }

    /// <summary>
    /// The tasks given up on (not final within the stuck limit, or in flight at a time-out) get one more stuck limit
    /// to become final; then they count as stuck (still pending or in progress) or lost (no longer found).
    /// </summary>
    private static async Task RecheckAsync(ApiClient api, List<string> suspects, ClosedLoopResult result, ClosedLoopPlan plan, CancellationToken ct)
    {
        if (suspects.Count == 0)
        {
            return;
        }

        var until = Stopwatch.GetTimestamp() + (long)(plan.StuckAfter.TotalSeconds * Stopwatch.Frequency);
        var open = new List<string>(suspects);
        var lastCode = new Dictionary<string, int>();
        while (open.Count > 0)
        {
            foreach (var id in open.ToList())
            {
                var (_, code, _) = await api.TaskCodeAsync(id, ct);
                lastCode[id] = code;
                if (Codes.IsFinal(code))
                {
                    result.LateFinish(code == Codes.Success);
                    open.Remove(id);
                }
            }

            if (open.Count == 0 || Stopwatch.GetTimestamp() > until)
            {
                break;
            }

            await Task.Delay(200, ct);
        }

        foreach (var id in open)
        {
            if (lastCode[id] == Codes.NotFound)
            {
                result.Lost++;
                result.Sample($"task {id} lost: not found");
            }
            else
            {
                result.Stuck++;
                result.Sample($"task {id} stuck: code {lastCode[id]} after {2 * plan.StuckAfter.TotalSeconds} s");
            }
        }
    }
}
