using System.Data;
using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// The one writer of the read model (<c>task_summary</c>, <c>console_line</c>). Everything queued while a
/// commit runs goes into the next transaction (group commit), so many small writes cost few commits and no
/// caller ever issues a per-line round trip. The queue is bounded: a step that prints faster than the
/// database takes it is slowed down (its pipe fills), never allowed to grow memory without bound.
/// </summary>
public sealed partial class ReadModelWriter : BackgroundService
{
    private const int MaxOpsPerTransaction = 2_000;

    private static readonly ResiliencePipeline TransientRetry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(100),
            BackoffType = DelayBackoffType.Exponential,
        })
        .Build();

    private readonly Database _database;
    private readonly StorageIo _io;
    private readonly StorageMetrics _metrics;
    private readonly ILogger<ReadModelWriter> _logger;
    private readonly Channel<WriteOp> _queue = Channel.CreateBounded<WriteOp>(new BoundedChannelOptions(1024)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private WriteOp? _carry;

    public ReadModelWriter(Database database, StorageIo io, StorageMetrics metrics, ILogger<ReadModelWriter> logger)
    {
        _database = database;
        _io = io;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Lines written to the console store since start.</summary>
    public long ConsoleLinesWritten => Interlocked.Read(ref _consoleLines);

    private long _consoleLines;

    /// <summary>Upserts a task's summary row; the task completes when it is committed.</summary>
    public Task UpsertSummaryAsync(TaskSummary summary) => Enqueue(new SummaryOp(summary));

    /// <summary>
    /// Queues console lines numbered from <paramref name="firstLine"/>. Waits only for room in the queue;
    /// the returned task completes when the lines are committed.
    /// </summary>
    public async ValueTask<Task> QueueConsoleAsync(string task, string step, long firstLine, IReadOnlyList<(long Ts, string Content)> lines)
    {
        var op = new ConsoleOp(task, step, firstLine, lines);
        await _queue.Writer.WriteAsync(op);
        return op.Done.Task;
    }

    /// <summary>Appends one audit row; completes when committed.</summary>
    public Task AppendAuditAsync(AuditEntry entry) => Enqueue(new AuditOp(entry));

    /// <summary>Deletes a task's console lines (a finished id is submitted again).</summary>
    public Task DeleteConsoleAsync(string task) => Enqueue(new DeleteConsoleOp(task));

    /// <summary>Deletes at most <paramref name="limit"/> audit rows written before <paramref name="before"/> (audit retention).</summary>
    public Task DeleteAuditAsync(DateTimeOffset before, int limit) => Enqueue(new DeleteAuditOp(before.ToUnixTimeMilliseconds(), limit));

    /// <summary>Appends events of one run of a task (an event already stored for that run is kept as it is); completes when committed.</summary>
    /// <remarks>Each newly stored event also gets one outbox row per hook that wants it (same transaction).</remarks>
    public Task AppendEventsAsync(string run, IReadOnlyList<TaskEvent> events, IReadOnlyList<HookSpec> hooks) => Enqueue(new EventsOp(run, events, hooks));

    /// <summary>
    /// Queues one transition of a task, its summary row and its run's new events, so they commit in one transaction
    /// (and merge with later upserts of the task queued before that commit). Each part completes when committed; one
    /// failing part does not fail the other. A caller that does not await them still gets them written in queue order.
    /// </summary>
    public (Task Summary, Task Events) QueueTransition(TaskSummary? summary, string run, IReadOnlyList<TaskEvent> events, IReadOnlyList<HookSpec> hooks)
    {
        var summaryOp = summary is null ? null : new SummaryOp(summary);
        var eventsOp = events.Count == 0 ? null : new EventsOp(run, events, hooks);
        WriteOp[] parts = [.. new WriteOp?[] { summaryOp, eventsOp }.OfType<WriteOp>()];
        if (parts.Length == 0)
        {
            return (Task.CompletedTask, Task.CompletedTask);
        }

        var queued = _queue.Writer.WriteAsync(parts.Length == 1 ? parts[0] : new GroupOp(parts)).AsTask();
        return (CommittedAsync(queued, summaryOp), CommittedAsync(queued, eventsOp));
    }

    private static async Task CommittedAsync(Task queued, WriteOp? op)
    {
        if (op is null)
        {
            return;
        }

        await queued;
        await op.Done.Task;
    }

    /// <summary>Deletes everything the read model holds about a task (expiry).</summary>
    public Task DeleteTaskAsync(string task) => Enqueue(new DeleteTaskOp(task));

    private async Task Enqueue(WriteOp op)
    {
        await _queue.Writer.WriteAsync(op);
        await op.Done.Task;
    }

    // The whole loop runs on the storage writer thread (SQLite): commits never block the thread pool, and grain-state
    // writes take their turn between two commits instead of contending for SQLite's lock.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _io.WriteAsync(WriteLoopAsync);

    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteOp>();
        DbConnection? connection = null;
        try
        {
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                batch.Clear();
                while (batch.Count < MaxOpsPerTransaction && (_carry is not null || _queue.Reader.TryRead(out _carry)))
                {
                    // A group's parts share the transaction but keep their own results (and their own retry below).
                    batch.AddRange(_carry is GroupOp group ? group.Parts : [_carry!]);
                    _carry = null;
                }

                try
                {
                    connection = await CommitWithRetryAsync(connection, batch);
                    foreach (var op in batch)
                    {
                        op.Done.TrySetResult();
                    }
                }
                catch (Exception ex)
                {
                    LogWriteFailed(_logger, ex, batch.Count);
                    connection = await ResetAsync(connection);
                    if (batch.Count == 1)
                    {
                        batch[0].Done.TrySetException(new StorageUnavailableException("the read model database could not be written", ex));
                        continue;
                    }

                    // One bad write must not fail the others it shared a transaction with: commit them one by one.
                    foreach (var op in batch)
                    {
                        try
                        {
                            connection ??= await _database.OpenAsync(CancellationToken.None);
                            await CommitAsync(connection, [op]);
                            op.Done.TrySetResult();
                        }
                        catch (Exception single)
                        {
                            connection = await ResetAsync(connection);
                            op.Done.TrySetException(new StorageUnavailableException("the read model database could not be written", single));
                        }
                    }
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Commits a batch, retrying a few times on a fresh connection: a busy or briefly unavailable database (a transient
    /// fault) costs a short delay, not lost console lines or a failed transition. Throws the last failure.
    /// </summary>
    private async Task<DbConnection> CommitWithRetryAsync(DbConnection? connection, List<WriteOp> batch)
    {
        var current = connection;
        await TransientRetry.ExecuteAsync(async _ =>
        {
            try
            {
                current ??= await _database.OpenAsync(CancellationToken.None);
                await CommitAsync(current, batch);
            }
            catch
            {
                current = await ResetAsync(current);
                throw;
            }
        });
        return current!;
    }

    private static async Task<DbConnection?> ResetAsync(DbConnection? connection)
    {
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }

        return null;
    }

    /// <summary>Stops taking writes and waits until everything queued is committed.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private async Task CommitAsync(DbConnection connection, List<WriteOp> batch)
    {
        await using var tx = await connection.BeginTransactionAsync();
        DbCommand? insertLine = null;
        var last = LastSummaries(batch);
        var (summaries, merged) = (0, 0);
        try
        {
            for (var index = 0; index < batch.Count; index++)
            {
                switch (batch[index])
                {
                    case ConsoleOp c:
                        insertLine ??= PrepareInsertLines(connection, tx);
                        insertLine.Parameters[0].Value = c.Task;
                        insertLine.Parameters[1].Value = c.Step;
                        insertLine.Parameters[2].Value = c.FirstLine;
                        insertLine.Parameters[3].Value = c.Lines.Count;
                        insertLine.Parameters[4].Value = c.Lines[0].Ts;
                        insertLine.Parameters[5].Value = string.Join('\n', c.Lines.Select(l => l.Content));
                        await insertLine.ExecuteNonQueryAsync();
                        Interlocked.Add(ref _consoleLines, c.Lines.Count);
                        break;
                    case SummaryOp s when last[s.Summary.Id] != index:
                        // A later upsert of the same task in this transaction replaces it: readers see only the commit.
                        merged++;
                        break;
                    case SummaryOp s:
                        await ExecuteAsync(connection, tx, Sql.UpsertSummary, SummaryParameters(s.Summary));
                        summaries++;
                        break;
                    case AuditOp a:
                        await ExecuteAsync(connection, tx, Sql.InsertAudit,
                            ("ts", a.Entry.At.ToUnixTimeMilliseconds()), ("actor", a.Entry.Actor), ("client", a.Entry.Client),
                            ("action", a.Entry.Action), ("task", a.Entry.Task), ("step", a.Entry.Step), ("node", a.Entry.Node),
                            ("outcome", a.Entry.Outcome));
                        break;
                    case DeleteConsoleOp d:
                        await ExecuteAsync(connection, tx, Sql.DeleteConsole, ("task", d.Task));
                        break;
                    case DeleteAuditOp d:
                        await ExecuteAsync(connection, tx, Sql.DeleteOldAudit, ("before", d.Before), ("limit", d.Limit));
                        break;
                    case EventsOp e:
                        var stored = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        foreach (var ev in e.Events)
                        {
                            var id = await ScalarAsync(connection, tx, Sql.InsertEvent, ("task", ev.Task), ("run", e.Run), ("ekey", ev.Key),
                                ("type", ev.Type), ("step", ev.Step), ("state", ev.State), ("code", ev.Code), ("msg", ev.Msg),
                                ("node", ev.Node), ("time", ev.Time), ("ts", stored));
                            for (var h = 0; id is not null && h < e.Hooks.Count; h++)
                            {
                                if (e.Hooks[h].Wants(ev.Type))
                                {
                                    await ExecuteAsync(connection, tx, Sql.InsertDelivery, ("event_id", Convert.ToInt64(id, System.Globalization.CultureInfo.InvariantCulture)),
                                        ("hook", h), ("task", ev.Task), ("node", ev.Node), ("url", e.Hooks[h].Url), ("secret", e.Hooks[h].Secret), ("now", stored));
                                }
                            }
                        }

                        break;
                    case DeleteTaskOp d:
                        await ExecuteAsync(connection, tx, Sql.DeleteDeliveries, ("task", d.Task));
                        await ExecuteAsync(connection, tx, Sql.DeleteEvents, ("task", d.Task));
                        await ExecuteAsync(connection, tx, Sql.DeleteConsole, ("task", d.Task));
                        await ExecuteAsync(connection, tx, Sql.DeleteSummary, ("task", d.Task));
                        break;
                }
            }

            await tx.CommitAsync();
            _metrics.Committed(summaries, merged);
        }
        finally
        {
            if (insertLine is not null)
            {
                await insertLine.DisposeAsync();
            }
        }
    }

    /// <summary>For each task with a summary upsert in the batch, the index of its last one.</summary>
    private static Dictionary<string, int> LastSummaries(List<WriteOp> batch)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is SummaryOp s)
            {
                last[s.Summary.Id] = i;
            }
        }

        return last;
    }

    private static DbCommand PrepareInsertLines(DbConnection connection, DbTransaction tx)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = Sql.InsertLines;
        foreach (var (name, type) in new[] { ("task", DbType.String), ("step", DbType.String), ("line", DbType.Int64), ("count", DbType.Int32), ("ts", DbType.Int64), ("content", DbType.String) })
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.DbType = type;
            command.Parameters.Add(p);
        }

        command.Prepare();
        return command;
    }

    private static (string, object?)[] SummaryParameters(TaskSummary s) =>
    [
        ("id", s.Id), ("node", s.Node), ("state", (int)s.State), ("code", s.Code), ("message", s.Message),
        ("env_vars", JsonSerializer.Serialize(s.EnvVars)), ("timeout", s.Timeout), ("count", s.Count),
        ("st", s.StartedAt?.ToUnixTimeMilliseconds()), ("et", s.EndedAt?.ToUnixTimeMilliseconds()),
        ("updated", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("parent", s.Parent), ("nodes", s.Nodes),
    ];

    private static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction tx, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }

        return command;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Read model write of {Count} operations failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception ex, int count);

    private abstract record WriteOp
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record SummaryOp(TaskSummary Summary) : WriteOp;

    private sealed record ConsoleOp(string Task, string Step, long FirstLine, IReadOnlyList<(long Ts, string Content)> Lines) : WriteOp;

    private sealed record DeleteConsoleOp(string Task) : WriteOp;

    private sealed record AuditOp(AuditEntry Entry) : WriteOp;

    private sealed record EventsOp(string Run, IReadOnlyList<TaskEvent> Events, IReadOnlyList<HookSpec> Hooks) : WriteOp;

    private sealed record DeleteTaskOp(string Task) : WriteOp;

    /// <summary>Ops queued together so they land in one batch; never part of a batch itself.</summary>
    private sealed record GroupOp(IReadOnlyList<WriteOp> Parts) : WriteOp;

    private sealed record DeleteAuditOp(long Before, int Limit) : WriteOp;
}
