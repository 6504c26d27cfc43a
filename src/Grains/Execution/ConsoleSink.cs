using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Execution;

/// <summary>Numbers a step's output lines (already masked) in arrival order and queues them for the console store.</summary>
internal sealed class ConsoleSink
{
    private readonly ReadModelWriter _writer;
    private readonly string _task;
    private readonly string _step;
    private readonly Lock _gate = new();
    private readonly List<Task> _commits = [];
    private long _next = 1;

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

        long first;
        lock (_gate)
        {
            first = _next;
            _next += lines.Count;
        }

        var commit = await _writer.QueueConsoleAsync(_task, _step, first, lines);
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

    /// <summary>Completes when every line queued so far is committed.</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return Task.WhenAll(_commits);
        }
    }
}
