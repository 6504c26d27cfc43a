using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains;

/// <summary>Serves the read model from this silo's database connection.</summary>
[StatelessWorker]
public sealed class QueryGrain : Grain, IQueryGrain
{
    private readonly ReadModelReader _reader;
    private readonly LiveNodes _nodes;

    public QueryGrain(ReadModelReader reader, LiveNodes nodes)
    {
        _reader = reader;
        _nodes = nodes;
    }

    public Task<IReadOnlyList<NodeInfo>> ListNodes() => _nodes.ActiveAsync();

    public Task<TaskPage> ListTasks(bool byEndTime, int page, int size) => _reader.ListTasksAsync(byEndTime, page, size);

    public Task<IReadOnlyList<ConsoleLine>> ReadConsole(string taskId, string step, long fromLine, int limit) =>
        _reader.ReadConsoleAsync(taskId, step, fromLine, limit);

    public Task<IReadOnlyList<ConsoleTail>> ReadTails(string taskId, IReadOnlyList<string> steps, int lines) =>
        _reader.ReadTailsAsync(taskId, steps, lines);

    public Task<IReadOnlyList<StoredEvent>> ReadEvents(long after, string task, string node, int limit) =>
        _reader.ReadEventsAsync(after, task, node, limit);

    public Task<IReadOnlyList<StoredEvent>> ReadEventsByIds(IReadOnlyList<long> ids, string task, string node) =>
        _reader.ReadEventsByIdsAsync(ids, task, node);

    public Task<long> LatestEventId() => _reader.LatestEventIdAsync();

    public Task<IReadOnlyList<HookDelivery>> TaskDeliveries(string taskId) => _reader.TaskDeliveriesAsync(taskId);
}
