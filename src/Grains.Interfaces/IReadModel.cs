namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// Reads of the read model (task list, console lines, events, webhook deliveries), served from the database this
/// node uses (the SQLite file of a single node, the shared PostgreSQL of a cluster): the API calls it directly, with
/// no grain hop. Not a grain: a singleton of the silo's services.
/// </summary>
public interface IReadModel
{
    /// <summary>At most <paramref name="size"/> tasks from the <paramref name="page"/>-th page (from 1), and the count of all.</summary>
    Task<TaskPage> ListTasksAsync(bool byEndTime, int page, int size);

    /// <summary>Console lines of one step, from line <paramref name="fromLine"/> (1-based), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ConsoleLine>> ReadConsoleAsync(string task, string step, long fromLine, int limit);

    /// <summary>The last <paramref name="lines"/> lines of each named step, with each step's total count.</summary>
    Task<IReadOnlyList<ConsoleTail>> ReadTailsAsync(string task, IReadOnlyList<string> steps, int lines);

    /// <summary>At most <paramref name="limit"/> stored events after id <paramref name="after"/>, oldest first; empty task/node: any.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long after, string task, string node, int limit);

    /// <summary>Those of the stored events with these ids that exist and match task/node (empty: any), oldest first.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadEventsByIdsAsync(IReadOnlyList<long> ids, string task, string node);

    /// <summary>The id of the newest stored event; 0 when there is none.</summary>
    Task<long> LatestEventIdAsync();

    /// <summary>The webhook deliveries of a task, oldest event first.</summary>
    Task<IReadOnlyList<HookDelivery>> TaskDeliveriesAsync(string task);

    /// <summary>One page of the audit log, newest first, and the count of all entries.</summary>
    Task<AuditPage> ListAuditAsync(int page, int size);
}
