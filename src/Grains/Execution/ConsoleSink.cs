using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Execution;

/// <summary>Numbers a step's output lines (already masked) in arrival order and queues them for the console store.</summary>
internal sealed class ConsoleSink
{
    /// <summary>
    /// Characters of one step queued but not yet committed before its pipe reader waits for the database. The shared
    /// writer queue is bounded in operations, not bytes; this keeps a fast printer's share of memory small.
    /// </summary>
    private const long MaxInFlightChars = 1 << 20;

    private readonly ReadModelWriter _writer;
    private readonly string _task;
    private readonly string _step;
    private readonly Lock _gate = new();
    private readonly List<Task> _commits = [];
    private long _next = 1;
    private long _inFlight;

    public ConsoleSink(ReadModelWriter writer, string task, string step)
    {
        _writer = writer;
        _task = task;
        _step = step;
    }

    public long Lines => Interlocked.Read(ref _next) - 1;

    public async ValueTask AppendAsync(List<(long Ts, string Content)> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        if (Interlocked.Read(ref _inFlight) > MaxInFlightChars)
        {
            await WaitForCommitsAsync();
        }

        var size = 0L;
        foreach (var line in lines)
        {
            size += line.Content.Length;
        }

        Interlocked.Add(ref _inFlight, size);
        long first;
        lock (_gate)
        {
            first = _next;
            _next += lines.Count;
        }

        var commit = await _writer.QueueConsoleAsync(_task, _step, first, lines);
        _ = commit.ContinueWith(_ => Interlocked.Add(ref _inFlight, -size), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        lock (_gate)
        {
            if (_commits.Count >= 1024)
            {
                // A step printing for hours: forget what is committed already.
                _commits.RemoveAll(c => c.IsCompletedSuccessfully);
            }

            _commits.Add(commit);
        }
    }

    private async Task WaitForCommitsAsync()
    {
        try
        {
            await FlushAsync();
        }
        catch (Exception)
        {
            // A failed commit is reported by the final flush; the pipe must keep draining meanwhile.
        }
    }

    /// <summary>Completes when every line queued so far is committed.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return Task.WhenAll(_commits);
        }
    }
}
