using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteExecutor.Grains.Interfaces;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Tests.Unit;

/// <summary>The dedicated storage threads, and the read-model writer's merge of a task's summary upserts.</summary>
public sealed class StorageIoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("re-storageio-").FullName;

    [Fact]
    public async Task IoLane_WorkWithAwaits_RunsWhollyOnTheLaneThreads()
    {
        using var lane = new IoLane("test-lane", 1);
        var threads = await lane.Run(async () =>
        {
            var before = Environment.CurrentManagedThreadId;
            await Task.Delay(10);
            return (before, after: Environment.CurrentManagedThreadId, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread);
        });

        Assert.Equal(threads.before, threads.after);
        Assert.Equal("test-lane", threads.Name);
        Assert.False(threads.IsThreadPoolThread);
    }

    [Fact]
    public async Task IoLane_WorkThrows_CallerSeesTheException()
    {
        using var lane = new IoLane("test-lane", 2);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => lane.Run(() => Task.FromException(new InvalidOperationException("disk gone"))));
        Assert.Equal("disk gone", ex.Message);
    }

    [Fact]
    public async Task SummaryUpserts_SeveralOfOneTaskInOneBatch_OnlyTheLastIsWrittenAndReadersSeeIt()
    {
        var database = Database.ForSqliteFile(Path.Combine(_dir, "re.db"));
        await SchemaInstaller.InstallAsync(database, NullLogger.Instance);
        var io = StorageIo.For(database);
        using var meters = new TestMeters();
        using var metrics = new StorageMetrics(meters, io);
        using var writer = new ReadModelWriter(database, io, metrics, NullLogger<ReadModelWriter>.Instance);

        // Queued before the writer starts: its first transaction takes all four.
        var writes = new[]
        {
            writer.UpsertSummaryAsync(Summary("a", ExecState.Pending, "")),
            writer.UpsertSummaryAsync(Summary("b", ExecState.Pending, "")),
            writer.UpsertSummaryAsync(Summary("a", ExecState.Running, "")),
            writer.UpsertSummaryAsync(Summary("a", ExecState.Stop, "all steps executed successfully")),
        };
        await writer.StartAsync(CancellationToken.None);
        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, metrics.SummaryUpserts);
        Assert.Equal(2, metrics.SummariesMerged);
        var page = await new ReadModelReader(database, io).ListTasksAsync(byEndTime: false, 1, 10);
        var a = Assert.Single(page.Tasks, t => t.Id == "a");
        Assert.Equal(ExecState.Stop, a.State);
        Assert.Equal("all steps executed successfully", a.Message);
        Assert.Equal(ExecState.Pending, Assert.Single(page.Tasks, t => t.Id == "b").State);
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task QueueTransition_SummaryAndEvents_OneCommitAndAFailingPartSparesTheOther()
    {
        var database = Database.ForSqliteFile(Path.Combine(_dir, "re.db"));
        await SchemaInstaller.InstallAsync(database, NullLogger.Instance);
        var io = StorageIo.For(database);
        using var meters = new TestMeters();
        using var metrics = new StorageMetrics(meters, io);
        using var writer = new ReadModelWriter(database, io, metrics, NullLogger<ReadModelWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        var started = new TaskEvent("step.started", "t", "s", (int)ExecState.Running, 0, "in progress", "vm", "2026-01-01T00:00:00Z");
        var (row, events) = writer.QueueTransition(Summary("t", ExecState.Running, ""), "run1", [started], []);
        await Task.WhenAll(row, events).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, metrics.Commits);
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM task_event WHERE task = 't'"));

        // Events that cannot be stored fail alone: the summary row of the same transition lands.
        await ExecuteAsync(database, "CREATE TRIGGER no_events BEFORE INSERT ON task_event BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
        var finished = started with { Type = "step.finished", State = (int)ExecState.Stop, Msg = "done" };
        var (finalRow, lost) = writer.QueueTransition(Summary("t", ExecState.Stop, "all steps executed successfully"), "run1", [finished], []);
        await finalRow.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<StorageUnavailableException>(() => lost.WaitAsync(TimeSpan.FromSeconds(30)));
        var page = await new ReadModelReader(database, io).ListTasksAsync(byEndTime: false, 1, 10);
        Assert.Equal(ExecState.Stop, Assert.Single(page.Tasks).State);
        Assert.Equal(1L, await CountAsync(database, "SELECT count(*) FROM task_event WHERE task = 't'"));
        await writer.StopAsync(CancellationToken.None);
    }

    private static async Task<long> CountAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(Database database, string sql)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static TaskSummary Summary(string id, ExecState state, string message) => new()
    {
        Id = id,
        Node = "vm",
        State = state,
        Message = message,
        StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_000),
    };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class TestMeters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
