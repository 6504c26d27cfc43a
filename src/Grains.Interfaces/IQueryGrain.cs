namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Reads the read model (task list, console lines). Stateless: one per silo.</summary>
[Alias("re.IQueryGrain")]
public interface IQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The active nodes with their labels, from this silo's view of the membership and the nodes' silo metadata.</summary>
    [Alias("ListNodes")]
    Task<IReadOnlyList<NodeInfo>> ListNodes();

    /// <summary>At most <paramref name="size"/> tasks from the <paramref name="page"/>-th page (from 1), and the count of all.</summary>
    [Alias("ListTasks")]
    Task<TaskPage> ListTasks(bool byEndTime, int page, int size);

    /// <summary>Console lines of one step, from line <paramref name="fromLine"/> (1-based), at most <paramref name="limit"/>.</summary>
    [Alias("ReadConsole")]
    Task<IReadOnlyList<ConsoleLine>> ReadConsole(string taskId, string step, long fromLine, int limit);

    /// <summary>The last <paramref name="lines"/> lines of each named step, with each step's total count.</summary>
    [Alias("ReadTails")]
    Task<IReadOnlyList<ConsoleTail>> ReadTails(string taskId, IReadOnlyList<string> steps, int lines);

    /// <summary>At most <paramref name="limit"/> stored events after id <paramref name="after"/>, oldest first; empty task/node: any.</summary>
    [Alias("ReadEvents")]
    Task<IReadOnlyList<StoredEvent>> ReadEvents(long after, string task, string node, int limit);

    /// <summary>Those of the stored events with these ids that exist and match task/node (empty: any), oldest first.</summary>
    [Alias("ReadEventsByIds")]
    Task<IReadOnlyList<StoredEvent>> ReadEventsByIds(IReadOnlyList<long> ids, string task, string node);

    /// <summary>The id of the newest stored event; 0 when there is none.</summary>
    [Alias("LatestEventId")]
    Task<long> LatestEventId();

    /// <summary>The webhook deliveries of a task, oldest event first.</summary>
    [Alias("TaskDeliveries")]
    Task<IReadOnlyList<HookDelivery>> TaskDeliveries(string taskId);
}
