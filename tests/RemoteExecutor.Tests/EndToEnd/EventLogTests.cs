using System.Globalization;
using System.Net;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>The durable event log behind <c>GET /api/v1/events</c>: every task's transitions, filtered and resumable.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class EventLogTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ServerProcess _server;

    public EventLogTests(ApiServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task Events_TwoTasks_TaskFilterShowsOneTasksSequenceAndTypeFilterBoth()
    {
        var first = Ids.New("evloga");
        var second = Ids.New("evlogb");
        await _server.Api.RunAsync(first, Steps.Array(Steps.Of("echo one", name: "one"), Steps.Of("echo two", name: "two")));
        await _server.Api.RunAsync(second, Steps.Array(Steps.Of("exit 3", name: "only")));
        using var deadline = new CancellationTokenSource(Deadline);

        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        using (var refused = await EventStream.OpenAsync(anonymous, "/api/v1/events?after=0", cancellationToken: deadline.Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var ofFirst = await ReadUntilAsync($"/api/v1/events?after=0&task={first}", null, 6, deadline.Token);
        Assert.Equal(
            ["task.accepted:", "step.started:one", "step.finished:one", "step.started:two", "step.finished:two", "task.finished:"],
            ofFirst.Select(Name));
        Assert.All(ofFirst, e => Assert.Equal(first, Data(e).GetProperty("task").GetString()));
        var ids = ofFirst.Select(e => long.Parse(e.Id!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        // Resuming after the third event (a reconnect's Last-Event-ID) gives the rest, nothing twice.
        var rest = await ReadUntilAsync($"/api/v1/events?task={first}", ofFirst[2].Id, 3, deadline.Token);
        Assert.Equal(ofFirst.Skip(3).Select(e => e.Id), rest.Select(e => e.Id));

        var finished = await ReadUntilAsync($"/api/v1/events?after={ids[0] - 1}&type=task.finished", null, 2, deadline.Token,
            e => Data(e).GetProperty("task").GetString() is { } t && (t == first || t == second));
        Assert.Equal([(first, 0), (second, 3)], finished.Select(e => (Data(e).GetProperty("task").GetString(), Data(e).GetProperty("code").GetInt32())));
    }

    private async Task<List<ServerSentEvent>> ReadUntilAsync(string path, string? lastEventId, int count, CancellationToken cancellationToken,
        Func<ServerSentEvent, bool>? keep = null)
    {
        using var response = await EventStream.OpenAsync(_server.Http, path, lastEventId, cancellationToken);
        var events = new List<ServerSentEvent>();
        await foreach (var e in EventStream.ReadAsync(response, cancellationToken))
        {
            if (keep is null || keep(e))
            {
                events.Add(e);
            }

            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }

    private static string Name(ServerSentEvent e) => e.Event + ":" + Data(e).GetProperty("step").GetString();

    private static JsonElement Data(ServerSentEvent e) => JsonDocument.Parse(e.Data).RootElement;
}
