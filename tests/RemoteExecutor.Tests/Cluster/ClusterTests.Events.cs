using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>The event log and webhooks in a cluster: PostgreSQL dialect, read from any node, delivered by the task's node.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task Events_TaskOnB_StreamOnC_AndWebhookDeliveredByB()
    {
        await using var receiver = new HookReceiver("");
        receiver.Start();
        var id = Ids.New("clevents");
        var submit = await A.Api.SubmitV1Async(Steps.Array(Steps.Of("echo hi", name: "s")), $"id={id}&node=b&hook={Uri.EscapeDataString(receiver.Url)}");
        Assert.Equal(0, submit.Code);
        await C.Api.WaitForFinalAsync(id, TaskDeadline);

        using var deadline = new CancellationTokenSource(TaskDeadline);
        using var response = await EventStream.OpenAsync(C.Http, $"/api/v1/events?after=0&task={id}", cancellationToken: deadline.Token);
        var names = new List<string>();
        await foreach (var e in EventStream.ReadAsync(response, deadline.Token))
        {
            var data = JsonDocument.Parse(e.Data).RootElement;
            Assert.Equal("b", data.GetProperty("node").GetString());
            names.Add($"{e.Event}:{data.GetProperty("step").GetString()}");
            if (e.Event == "task.finished")
            {
                break;
            }
        }

        Assert.Equal(["task.accepted:", "step.started:s", "step.finished:s", "task.finished:"], names);
        await Poll.UntilAsync(() => receiver.Of(id).Count >= 4, TaskDeadline, "the webhook events");
        Assert.Equal(names, receiver.Of(id).Select(e => $"{e.Type}:{e.Step}"));
    }
}
