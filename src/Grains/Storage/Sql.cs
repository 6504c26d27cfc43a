namespace RemoteExecutor.Grains.Storage;

/// <summary>Read-model statements; written to run unchanged on SQLite and PostgreSQL.</summary>
internal static class Sql
{
    public const string InsertLines =
        "INSERT INTO console_line (task, step, line, count, ts, content) VALUES (@task, @step, @line, @count, @ts, @content) " +
        "ON CONFLICT (task, step, line) DO NOTHING";

    public const string UpsertSummary =
        "INSERT INTO task_summary (id, node, state, code, message, env_vars, timeout, count, st, et, updated, parent, nodes) " +
        "VALUES (@id, @node, @state, @code, @message, @env_vars, @timeout, @count, @st, @et, @updated, @parent, @nodes) " +
        "ON CONFLICT (id) DO UPDATE SET node = excluded.node, state = excluded.state, code = excluded.code, " +
        "message = excluded.message, env_vars = excluded.env_vars, timeout = excluded.timeout, count = excluded.count, " +
        "st = excluded.st, et = excluded.et, updated = excluded.updated, parent = excluded.parent, nodes = excluded.nodes";

    public const string DeleteConsole = "DELETE FROM console_line WHERE task = @task";

    public const string DeleteSummary = "DELETE FROM task_summary WHERE id = @task";

    /// <summary>The list counts and shows tasks, not the runs of a fan-out on each node (rows with a parent).</summary>
    public const string CountTasks = "SELECT COUNT(*) FROM task_summary WHERE parent IS NULL";

    public const string ListTasksByStart =
        "SELECT id, node, state, code, message, env_vars, timeout, count, st, et, nodes FROM task_summary WHERE parent IS NULL ORDER BY st, id LIMIT @limit OFFSET @offset";

    public const string ListTasksByEnd =
        "SELECT id, node, state, code, message, env_vars, timeout, count, st, et, nodes FROM task_summary WHERE parent IS NULL ORDER BY et, id LIMIT @limit OFFSET @offset";

    public const string ExpiredTasks =
        "SELECT id FROM task_summary WHERE node = @node AND parent IS NULL AND et IS NOT NULL AND et <= @before AND state NOT IN (1, 2, 3) ORDER BY et LIMIT @limit";

    public const string NodeOfTask = "SELECT node FROM task_summary WHERE id = @id";

    public const string UnfinishedTasks =
        "SELECT id FROM task_summary WHERE node = @node AND state IN (1, 2, 3)";

    /// <summary>Rows holding line @from and after (a row holds <c>count</c> lines from <c>line</c>).</summary>
    public const string ReadConsole =
        "SELECT line, count, ts, content FROM console_line WHERE task = @task AND step = @step AND line >= " +
        "COALESCE((SELECT MAX(line) FROM console_line WHERE task = @task AND step = @step AND line <= @from), 0) ORDER BY line";

    public const string CountConsole =
        "SELECT line + count - 1 FROM console_line WHERE task = @task AND step = @step ORDER BY line DESC LIMIT 1";

    public const string InsertAudit =
        "INSERT INTO audit (ts, actor, client, action, task, step, node, outcome) VALUES (@ts, @actor, @client, @action, @task, @step, @node, @outcome)";

    public const string CountAudit = "SELECT COUNT(*) FROM audit";

    /// <summary>The oldest audit rows written before @before, at most @limit of them (one bounded delete per sweep tick).</summary>
    public const string DeleteOldAudit =
        "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE ts < @before ORDER BY ts LIMIT @limit)";

    public const string ListAudit =
        "SELECT id, ts, actor, client, action, task, step, node, outcome FROM audit ORDER BY id DESC LIMIT @limit OFFSET @offset";

    public const string InsertEvent =
        "INSERT INTO task_event (task, run, ekey, type, step, state, code, msg, node, time, ts) " +
        "VALUES (@task, @run, @ekey, @type, @step, @state, @code, @msg, @node, @time, @ts) ON CONFLICT (task, run, ekey) DO NOTHING RETURNING id";

    public const string DeleteEvents = "DELETE FROM task_event WHERE task = @task";

    /// <summary>Events after id @after, oldest first; @task / @node empty = any.</summary>
    public const string ReadEvents =
        "SELECT id, type, task, step, state, code, msg, node, time FROM task_event WHERE id > @after " +
        "AND (@task = '' OR task = @task) AND (@node = '' OR node = @node) ORDER BY id LIMIT @limit";

    /// <summary>The events with the given ids (an <c>IN</c> list of @i0, @i1, ...), oldest first; @task / @node empty = any.</summary>
    public static string EventsByIds(int count) =>
        "SELECT id, type, task, step, state, code, msg, node, time FROM task_event WHERE id IN (" +
        string.Join(", ", Enumerable.Range(0, count).Select(i => "@i" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) +
        ") AND (@task = '' OR task = @task) AND (@node = '' OR node = @node) ORDER BY id";

    public const string LatestEvent = "SELECT COALESCE(MAX(id), 0) FROM task_event";

    public const string InsertDelivery =
        "INSERT INTO hook_delivery (event_id, hook, task, node, url, secret, state, attempts, status, error, next_at, created) " +
        "VALUES (@event_id, @hook, @task, @node, @url, @secret, 0, 0, 0, '', @now, @now) ON CONFLICT (event_id, hook) DO NOTHING";

    public const string DeleteDeliveries = "DELETE FROM hook_delivery WHERE task = @task";

    /// <summary>
    /// Undelivered rows of node @node, and when <paramref name="live"/> names are given (@l0, @l1, ...) also those of every
    /// node not among them (the rows of gone nodes, adopted by a survivor); oldest event first.
    /// </summary>
    public static string DueDeliveries(int live) =>
        "SELECT d.event_id, d.hook, d.url, d.secret, d.attempts, d.next_at, d.created, e.type, e.task, e.step, e.state, e.code, e.msg, e.node, e.time " +
        "FROM hook_delivery d JOIN task_event e ON e.id = d.event_id WHERE d.state = 0 AND (d.node = @node" +
        (live == 0 ? "" : " OR d.node NOT IN (" + string.Join(", ", Enumerable.Range(0, live).Select(i => "@l" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ")") +
        ") ORDER BY d.event_id, d.hook LIMIT @limit";

    public const string UpdateDelivery =
        "UPDATE hook_delivery SET state = @state, attempts = @attempts, status = @status, error = @error, next_at = @next_at " +
        "WHERE event_id = @event_id AND hook = @hook";

    public const string TaskDeliveries =
        "SELECT d.event_id, e.type, e.step, d.url, d.state, d.attempts, d.status, d.error FROM hook_delivery d " +
        "JOIN task_event e ON e.id = d.event_id WHERE d.task = @task ORDER BY d.event_id, d.hook";
}
