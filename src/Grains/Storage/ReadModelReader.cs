using System.Data.Common;
using System.Text.Json;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// Queries over the read model. Readers never block the writer (WAL on SQLite, MVCC on PostgreSQL); on SQLite every
/// query runs on the reader threads of <see cref="StorageIo"/>.
/// </summary>
public sealed class ReadModelReader : IReadModel
{
    private readonly Database _database;
    private readonly StorageIo _io;

    public ReadModelReader(Database database, StorageIo io)
    {
        _database = database;
        _io = io;
    }

    /// <summary>One page of the task list (a bounded query) and the count of all tasks.</summary>
    public Task<TaskPage> ListTasksAsync(bool byEndTime, int page, int size) => _io.ReadAsync<TaskPage>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        long total;
        await using (var count = Command(connection, Sql.CountTasks))
        {
            total = Convert.ToInt64(await count.ExecuteScalarAsync() ?? 0L);
        }

        await using var command = Command(connection, byEndTime ? Sql.ListTasksByEnd : Sql.ListTasksByStart, ("limit", size), ("offset", (long)(page - 1) * size));
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<TaskSummary>();
        while (await reader.ReadAsync())
        {
            list.Add(new TaskSummary
            {
                Id = reader.GetString(0),
                Node = reader.GetString(1),
                State = (ExecState)reader.GetInt32(2),
                Code = reader.GetInt32(3),
                Message = reader.GetString(4),
                EnvVars = JsonSerializer.Deserialize<string[]>(reader.GetString(5)) ?? [],
                Timeout = reader.GetString(6),
                Count = reader.GetInt32(7),
                StartedAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                EndedAt = reader.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
                Nodes = reader.IsDBNull(10) ? 0 : reader.GetInt32(10),
            });
        }

        return new TaskPage(total, list);
    });

    /// <summary>At most <paramref name="limit"/> events after id <paramref name="after"/>, oldest first; empty task/node: any.</summary>
    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long after, string task, string node, int limit) => _io.ReadAsync<IReadOnlyList<StoredEvent>>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        await using var command = Command(connection, Sql.ReadEvents, ("after", after), ("task", task), ("node", node), ("limit", limit));
        return await ReadEventRowsAsync(command);
    });

    /// <summary>Those of the events with these ids that exist (and match task/node when given), oldest first.</summary>
    public Task<IReadOnlyList<StoredEvent>> ReadEventsByIdsAsync(IReadOnlyList<long> ids, string task, string node) => _io.ReadAsync<IReadOnlyList<StoredEvent>>(async () =>
    {
        if (ids.Count == 0)
        {
            return [];
        }

        await using var connection = await _database.OpenAsync();
        var parameters = ids.Select((id, i) => ("i" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), (object)id))
            .Append(("task", task)).Append(("node", node)).ToArray();
        await using var command = Command(connection, Sql.EventsByIds(ids.Count), parameters);
        return await ReadEventRowsAsync(command);
    });

    private static async Task<IReadOnlyList<StoredEvent>> ReadEventRowsAsync(DbCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<StoredEvent>();
        while (await reader.ReadAsync())
        {
            list.Add(new StoredEvent
            {
                Id = reader.GetInt64(0),
                Type = reader.GetString(1),
                Task = reader.GetString(2),
                Step = reader.GetString(3),
                State = reader.GetInt32(4),
                Code = reader.GetInt32(5),
                Msg = reader.GetString(6),
                Node = reader.GetString(7),
                Time = reader.GetString(8),
            });
        }

        return list;
    }

    /// <summary>The webhook deliveries of a task, oldest event first.</summary>
    public Task<IReadOnlyList<HookDelivery>> TaskDeliveriesAsync(string task) => _io.ReadAsync<IReadOnlyList<HookDelivery>>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        await using var command = Command(connection, Sql.TaskDeliveries, ("task", task));
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<HookDelivery>();
        while (await reader.ReadAsync())
        {
            list.Add(new HookDelivery
            {
                EventId = reader.GetInt64(0),
                Type = reader.GetString(1),
                Step = reader.GetString(2),
                Url = reader.GetString(3),
                State = reader.GetInt32(4) switch { 0 => "pending", 1 => "delivered", _ => "failed" },
                Attempts = reader.GetInt32(5),
                Status = reader.GetInt32(6),
                Error = reader.GetString(7),
            });
        }

        return list;
    });

    /// <summary>The id of the newest stored event; 0 when there is none.</summary>
    public Task<long> LatestEventIdAsync() => _io.ReadAsync<long>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        await using var command = Command(connection, Sql.LatestEvent);
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>The node a task was last submitted to; null when the task is not (or no longer) known.</summary>
    public Task<string?> NodeOfTaskAsync(string id) => _io.ReadAsync<string?>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        await using var command = Command(connection, Sql.NodeOfTask, ("id", id));
        return await command.ExecuteScalarAsync() as string;
    });

    public Task<IReadOnlyList<string>> UnfinishedTasksAsync(string node) => _io.ReadAsync<IReadOnlyList<string>>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        await using var command = Command(connection, Sql.UnfinishedTasks, ("node", node));
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    });

    public Task<IReadOnlyList<ConsoleLine>> ReadConsoleAsync(string task, string step, long fromLine, int limit) => _io.ReadAsync<IReadOnlyList<ConsoleLine>>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        return await ReadLinesAsync(connection, task, step, fromLine, limit);
    });

    public Task<IReadOnlyList<ConsoleTail>> ReadTailsAsync(string task, IReadOnlyList<string> steps, int lines) => _io.ReadAsync<IReadOnlyList<ConsoleTail>>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        var tails = new List<ConsoleTail>(steps.Count);
        foreach (var step in steps)
        {
            long total;
            await using (var count = Command(connection, Sql.CountConsole, ("task", task), ("step", step)))
            {
                total = Convert.ToInt64(await count.ExecuteScalarAsync() ?? 0L);
            }

            // Row by row into a bounded buffer: the tail never holds more than its byte budget, whatever was printed.
            var tail = new TailBuffer(ConsoleTail.MaxBytes);
            var from = Math.Max(1, total - lines + 1);
            await using var command = Command(connection, Sql.ReadConsole, ("task", task), ("step", step), ("from", from));
            await using var reader = await command.ExecuteReaderAsync();
            while (total > 0 && await reader.ReadAsync())
            {
                var first = reader.GetInt64(0);
                var content = reader.GetString(3);
                var parts = reader.GetInt32(1) == 1 ? [content] : content.Split('\n');
                for (var i = 0; i < parts.Length; i++)
                {
                    if (first + i >= from)
                    {
                        tail.Add(parts[i]);
                    }
                }
            }

            tails.Add(new ConsoleTail(step, total, tail.Lines));
        }

        return tails;
    });

    /// <summary>Lines from <paramref name="fromLine"/> on, at most <paramref name="limit"/>, unpacked from their rows.</summary>
    private static async Task<IReadOnlyList<ConsoleLine>> ReadLinesAsync(DbConnection connection, string task, string step, long fromLine, int limit)
    {
        await using var command = Command(connection, Sql.ReadConsole, ("task", task), ("step", step), ("from", fromLine));
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<ConsoleLine>(Math.Min(limit, 4096));
        while (lines.Count < limit && await reader.ReadAsync())
        {
            var first = reader.GetInt64(0);
            var count = reader.GetInt32(1);
            var ts = reader.GetInt64(2);
            var content = reader.GetString(3);
            var parts = count == 1 ? [content] : content.Split('\n');
            for (var i = 0; i < parts.Length && lines.Count < limit; i++)
            {
                if (first + i >= fromLine)
                {
                    lines.Add(new ConsoleLine(first + i, ts, parts[i]));
                }
            }
        }

        return lines;
    }

    /// <summary>Finished tasks of <paramref name="node"/> that ended at or before <paramref name="before"/>.</summary>
    public Task<IReadOnlyList<string>> ExpiredTasksAsync(string node, DateTimeOffset before, int limit) => _io.ReadAsync<IReadOnlyList<string>>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        await using var command = Command(connection, Sql.ExpiredTasks, ("node", node), ("before", before.ToUnixTimeMilliseconds()), ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    });

    public Task<AuditPage> ListAuditAsync(int page, int size) => _io.ReadAsync<AuditPage>(async () =>
    {
        await using var connection = await _database.OpenAsync();
        long total;
        await using (var count = Command(connection, Sql.CountAudit))
        {
            total = Convert.ToInt64(await count.ExecuteScalarAsync() ?? 0L);
        }

        var entries = new List<AuditEntry>();
        await using var command = Command(connection, Sql.ListAudit, ("limit", size), ("offset", (long)(page - 1) * size));
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add(new AuditEntry
            {
                Id = reader.GetInt64(0),
                At = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                Actor = reader.GetString(2),
                Client = reader.GetString(3),
                Action = reader.GetString(4),
                Task = reader.IsDBNull(5) ? null : reader.GetString(5),
                Step = reader.IsDBNull(6) ? null : reader.GetString(6),
                Node = reader.IsDBNull(7) ? null : reader.GetString(7),
                Outcome = reader.GetString(8),
            });
        }

        return new AuditPage(total, entries);
    });

    /// <summary>A command with named parameters (shared by the read-model readers and the webhook dispatcher).</summary>
    internal static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            command.Parameters.Add(p);
        }

        return command;
    }
}
