using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Where one step's pipes go: line cutting (<c>--max_line</c>), secret masking (every secret of the task), the
/// output budget (<c>--max_output</c>) and the console store, with one note at the end when output was dropped.
/// </summary>
internal sealed class StepOutput
{
    private readonly ConsoleSink _sink;
    private readonly OutputLimiter _limiter;
    private readonly IReadOnlyList<string> _secrets;
    private readonly int _maxLine;
    private readonly TimeProvider _clock;

    public StepOutput(ReadModelWriter writer, ExecutionRequest request, EngineOptions options, TimeProvider clock)
    {
        _sink = new ConsoleSink(writer, request.TaskId, StepAttempts.ConsoleKey(request.StepName, request.Attempt));
        _limiter = new OutputLimiter(options.MaxOutput);
        _secrets = [.. EnvEntries.SecretValues(request.Env).Concat(request.Secrets).Distinct(StringComparer.Ordinal)];
        _maxLine = options.MaxLine;
        _clock = clock;
    }

    /// <summary>Reads one pipe of the step to its end.</summary>
    public Task PumpAsync(Stream stream) =>
        new LineReader(_maxLine, new SecretMasker(_secrets), _limiter, _sink, _clock).PumpAsync(stream);

    /// <summary>A text of the step shown outside its console (its end message) with every secret of the task masked.</summary>
    public string Mask(string text) => new SecretMasker(_secrets).Feed(text, endOfLine: true);

    /// <summary>After the pipes are done: adds the dropped-output note if any, and waits until every line is stored.</summary>
    public async Task CompleteAsync()
    {
        if (_limiter.Dropped > 0)
        {
            await _sink.AppendAsync([(LineReader.UnixNanos(_clock), _limiter.Note())]);
        }

        await _sink.FlushAsync();
    }
}
