using System.Collections.Concurrent;
using System.Diagnostics;

namespace RemoteExecutor.Bench;

/// <summary>Outcome of submitting N identical tasks from several clients and waiting until all have finished.</summary>
internal sealed class BatchResult
{
    public int Requested { get; init; }
    public int Submitted { get; set; }
    public int SubmitErrors { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public int Unfinished { get; set; }
    public long PollRequests { get; set; }
    public long PollErrors { get; set; }
    public long NotFoundSeen { get; set; }

    /// <summary>Seconds from the first submit to the last one answered.</summary>
    public double SubmitSeconds { get; set; }

    /// <summary>Seconds from the first submit to the last task observed finished.</summary>
    public double TotalSeconds { get; set; }

    public List<double> SubmitLatenciesMs { get; } = [];
    public List<string> Samples { get; } = [];
    public bool TimedOut { get; set; }

    public int PoolMaxRunning { get; set; } = -1;
    public int PoolMaxWaiting { get; set; } = -1;
    public double PoolAvgRunning { get; set; } = double.NaN;

    public void Sample(string what)
    {
        lock (Samples)
        {
            if (Samples.Count < 8)
            {
                Samples.Add(what);
            }
        }
    }
}

/// <summary>
/// Submits <c>count</c> tasks with <c>clients</c> concurrent clients while a poller sweeps the detail route of
/// the unfinished ones (in submit order, a few requests in flight, 10-40 ms between sweeps). A sweep stops
/// early after a run of pending tasks: the pool is FIFO, so the ones behind them are pending too.
/// </summary>
internal static class Batch
{
    private const int PendingRunStop = 48;
    private const int MinPauseMs = 10;
    private const int MaxPauseMs = 40;

    private sealed class Tracked(string id)
    {
        public string Id { get; } = id;
        public bool Done { get; set; }
    }

    public static async Task<BatchResult> RunAsync(
        ApiClient api, int count, string stepsJson, string query, int clients, int pollers, TimeSpan timeout, bool samplePool, CancellationToken ct)
    {
        var result = new BatchResult { Requested = count };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;

        var submitted = new ConcurrentQueue<Tracked>();
        var latencies = new ConcurrentBag<double>();
        int next = -1, submitErrors = 0;
        long lastSubmit = 0;
        var start = Stopwatch.GetTimestamp();

        var submitters = Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < count && !token.IsCancellationRequested)
            {
                var t0 = Stopwatch.GetTimestamp();
                var r = await api.SubmitAsync(stepsJson, query, token);
                var t1 = Stopwatch.GetTimestamp();
                latencies.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
                InterlockedMax(ref lastSubmit, t1);
                if (r.Ok)
                {
                    submitted.Enqueue(new Tracked(r.Id!));
                }
                else if (!token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref submitErrors);
                    result.Sample($"submit: HTTP {r.Status} code {r.Code} {r.Message}");
                }
            }
        }, CancellationToken.None)));

        using var poolStop = new CancellationTokenSource();
        var poolTask = samplePool ? SamplePoolAsync(api, result, poolStop.Token) : Task.CompletedTask;

        var unfinished = new List<Tracked>();
        long lastFinish = start;
        var pauseMs = MinPauseMs;
        try
        {
            while (true)
            {
                var submitDone = submitters.IsCompleted;
                while (submitted.TryDequeue(out var t))
                {
                    unfinished.Add(t);
                }

                if (submitDone && unfinished.Count == 0)
                {
                    break;
                }

                token.ThrowIfCancellationRequested();
                var pendingRun = 0;
                for (var i = 0; i < unfinished.Count && pendingRun < PendingRunStop; i += pollers)
                {
                    var chunk = unfinished.Skip(i).Take(pollers).ToList();
                    var codes = await Task.WhenAll(chunk.Select(t => api.TaskCodeAsync(t.Id, token)));
                    var now = Stopwatch.GetTimestamp();
                    result.PollRequests += chunk.Count;
                    for (var k = 0; k < chunk.Count; k++)
                    {
                        var (status, code, message) = codes[k];
                        switch (code)
                        {
                            case Codes.Success:
                                chunk[k].Done = true;
                                result.Succeeded++;
                                lastFinish = now;
                                pendingRun = 0;
                                break;
                            case Codes.Failed:
                                chunk[k].Done = true;
                                result.Failed++;
                                lastFinish = now;
                                pendingRun = 0;
                                result.Sample($"task {chunk[k].Id} failed: {message}");
                                break;
                            case Codes.Pending:
                                pendingRun++;
                                break;
                            case Codes.InProgress or Codes.Paused:
                                pendingRun = 0;
                                break;
                            case Codes.NotFound:
                                result.NotFoundSeen++;
                                result.Sample($"task {chunk[k].Id}: 1003 right after submit: {message}");
                                break;
                            default:
                                result.PollErrors++;
                                result.Sample($"detail {chunk[k].Id}: HTTP {status} code {code} {message}");
                                break;
                        }
                    }
                }

                // Sweep again soon while tasks keep finishing; back off (up to 40 ms) while none does.
                pauseMs = unfinished.RemoveAll(t => t.Done) > 0 ? MinPauseMs : Math.Min(MaxPauseMs, pauseMs * 2);
                if (!(submitters.IsCompleted && submitted.IsEmpty && unfinished.Count == 0))
                {
                    await Task.Delay(pauseMs, token);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            result.TimedOut = true;
            result.Sample($"gave up after {timeout.TotalSeconds} s");
        }
        finally
        {
            await poolStop.CancelAsync();
            await poolTask;
            try
            {
                await submitters;
            }
            catch (OperationCanceledException)
            {
            }
        }

        while (submitted.TryDequeue(out var t))
        {
            unfinished.Add(t);
        }

        result.Unfinished = unfinished.Count(t => !t.Done);
        result.Submitted = result.Succeeded + result.Failed + result.Unfinished;
        result.SubmitErrors = submitErrors;
        result.SubmitLatenciesMs.AddRange(latencies);
        result.SubmitSeconds = Stopwatch.GetElapsedTime(start, Interlocked.Read(ref lastSubmit)).TotalSeconds;
        result.TotalSeconds = Stopwatch.GetElapsedTime(start, lastFinish).TotalSeconds;
        return result;
    }

    private static async Task SamplePoolAsync(ApiClient api, BatchResult result, CancellationToken stop)
    {
        long sum = 0, n = 0;
        int maxRunning = -1, maxWaiting = -1;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await api.PoolAsync(stop) is { } p)
                {
                    maxRunning = Math.Max(maxRunning, p.Running);
                    maxWaiting = Math.Max(maxWaiting, p.Waiting);
                    sum += p.Running;
                    n++;
                }

                await Task.Delay(250, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        result.PoolMaxRunning = maxRunning;
        result.PoolMaxWaiting = maxWaiting;
        result.PoolAvgRunning = n == 0 ? double.NaN : (double)sum / n;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
