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
