using System.Net;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Cluster;

public sealed partial class ClusterTests
{
    [Fact]
    public async Task FollowFromC_OfAStepRunningOnB_SeesEveryLineOnceInOrderThenEnd()
    {
        const int lines = 30;
        var id = Ids.New("follownode");
        var submit = await A.Api.SubmitV1Async(
            Steps.Array(Steps.Of($"for i in $(seq 1 {lines}); do echo \"line $i\"; sleep 0.05; done", name: "tick")), $"id={id}&node=b");
        Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"submit to a with node=b: {submit}");
        using var deadline = new CancellationTokenSource(TaskDeadline);

        using var response = await EventStream.OpenAsync(C.Http, $"/api/v1/task/{id}/tick/console", cancellationToken: deadline.Token);
        var events = new List<ServerSentEvent>();
        await foreach (var e in EventStream.ReadAsync(response, deadline.Token))
        {
            events.Add(e);
        }

        var numbers = events.Where(e => e.Event == "line")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("content").GetString())
            .ToList();
        Assert.Equal(Enumerable.Range(1, lines).Select(i => $"line {i}"), numbers);
        var end = events[^1];
        Assert.Equal("end", end.Event);
        Assert.Equal(0, JsonDocument.Parse(end.Data).RootElement.GetProperty("state").GetInt32());
    }
}
