using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Execution;

/// <summary>Numbers a step's output lines in arrival order and queues them for the console store.</summary>
internal sealed class ConsoleSink
{
    private readonly ReadModelWriter _writer;
    private readonly string _task;
    private readonly string _step;
    private readonly Lock _gate = new();
    private readonly List<Task> _commits = [];
    private readonly IReadOnlyList<string> _secrets;
    private long _next = 1;

    public ConsoleSink(ReadModelWriter writer, string task, string step, IReadOnlyList<string> secrets)
    {
        _writer = writer;
        _task = task;
        _step = step;
        _secrets = secrets;
    }

    public long Lines => Interlocked.Read(ref _next) - 1;

    public async ValueTask AppendAsync(List<(long Ts, string Content)> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        if (_secrets.Count > 0)
        {
            // Secrets never reach the store: longest first, so a secret containing another is masked whole.
            for (var i = 0; i < lines.Count; i++)
            {
                var content = lines[i].Content;
                foreach (var secret in _secrets.OrderByDescending(s => s.Length))
                {
                    content = content.Replace(secret, EnvEntries.Mask, StringComparison.Ordinal);
                }

                lines[i] = (lines[i].Ts, content);
            }
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
