using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains;

/// <summary>Serves the read model from this silo's database connection.</summary>
[StatelessWorker]
public sealed class QueryGrain : Grain, IQueryGrain
{
    private readonly ReadModelReader _reader;

    public QueryGrain(ReadModelReader reader) => _reader = reader;

    public Task<IReadOnlyList<TaskSummary>> ListTasks(bool byEndTime) => _reader.ListTasksAsync(byEndTime);

    public Task<IReadOnlyList<ConsoleLine>> ReadConsole(string taskId, string step, long fromLine, int limit) =>
        _reader.ReadConsoleAsync(taskId, step, fromLine, limit);

    public Task<IReadOnlyList<ConsoleTail>> ReadTails(string taskId, IReadOnlyList<string> steps, int lines) =>
        _reader.ReadTailsAsync(taskId, steps, lines);
}
