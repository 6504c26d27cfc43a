using System.Globalization;
using System.Text.RegularExpressions;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Storage;

/// <summary>A server of its own: its storage counters count only this class's tasks.</summary>
public sealed class WritesPerTaskServerFixture : ServerFixture;

/// <summary>
/// Issue 17, fewer writes per task: a one-step task that ends at once costs four grain-state writes (task accepted,
/// step dispatched, step finished, task finished; the step's start is stored with its outcome) and two summary
/// upserts (accepted, finished), where it cost five and three. Counted from <c>/metrics</c> as an operator would.
/// </summary>
public sealed partial class WritesPerTaskTests : IClassFixture<WritesPerTaskServerFixture>
{
    private const int Tasks = 10;

    private readonly ServerProcess _server;

    public WritesPerTaskTests(WritesPerTaskServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task ShortTasks_RunOneAfterAnother_CostFourStateWritesAndTwoSummaryUpsertsEach()
    {
        var before = await CountersAsync();
        for (var i = 0; i < Tasks; i++)
        {
            var detail = await _server.Api.RunAsync(Ids.New("fewwrites"), Steps.Array(Steps.Of("true")));
            Assert.Equal(0, detail.Code);
        }

        var after = await CountersAsync();

        // Half a write per task of slack: a step slowed past the start-write delay on a busy machine stores its start
        // (one more state write), and one read while it ran publishes its running state (one more upsert).
        var stateWrites = after.StateWrites - before.StateWrites;
        var upserts = after.SummaryUpserts - before.SummaryUpserts;
        Assert.True(stateWrites >= 4 * Tasks && stateWrites <= 4.5 * Tasks, $"{stateWrites} grain-state writes for {Tasks} tasks");
        Assert.True(upserts >= 2 * Tasks && upserts <= 2.5 * Tasks, $"{upserts} summary upserts for {Tasks} tasks");
    }

    private async Task<(double StateWrites, double SummaryUpserts)> CountersAsync()
    {
        var text = await _server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return (Counter(text, "remote_executor_storage_state_writes_total"), Counter(text, "remote_executor_storage_summary_upserts_total"));
    }

    private static double Counter(string metrics, string name) =>
        Sample().Matches(metrics)
            .Where(m => m.Groups["name"].Value == name)
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{[^}]*\})? (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
