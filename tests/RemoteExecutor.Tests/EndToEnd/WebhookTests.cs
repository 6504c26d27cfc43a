using System.Net;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Webhooks: signed CloudEvents before and after every step, delivered at least once through a durable outbox.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class WebhookTests
{
    private const string Secret = "hook-s3cret-value";

    private static readonly string[] TwoStepSequence =
        ["task.accepted:", "step.started:one", "step.finished:one", "step.started:two", "step.finished:two", "task.finished:"];

    private readonly ServerProcess _server;

    public WebhookTests(ApiServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task TwoStepTask_ReceiverGetsSignedEventsInOrder_SecretNeverShown()
    {
        await using var receiver = new HookReceiver(Secret);
        receiver.Start();
        var id = Ids.New("hooked");

        var submit = await _server.Api.SubmitV2Async(TwoStepTask(id, receiver.Url));
        Assert.Equal(0, submit.Code);
        await _server.Api.WaitForFinalAsync(id);

        await Poll.UntilAsync(() => receiver.Of(id).Count >= TwoStepSequence.Length, Poll.Short, "all six events delivered");
        var events = receiver.Of(id);
        Assert.Equal(TwoStepSequence, events.Select(e => $"{e.Type}:{e.Step}"));
        Assert.All(events, e => Assert.True(e.SignatureValid, e.Body));
        Assert.All(events, e => Assert.DoesNotContain(Secret, e.Body, StringComparison.Ordinal));

        var hooks = await _server.Api.GetAsync($"/api/v1/task/{id}/hooks");
        Assert.Equal(TwoStepSequence.Length, hooks.Data.GetArrayLength());
        Assert.All(hooks.Data.EnumerateArray(), d => Assert.Equal(("delivered", 204), (d.GetProperty("state").GetString(), d.GetProperty("status").GetInt32())));
        Assert.DoesNotContain(Secret, hooks.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, (await _server.Api.DetailAsync(id)).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadHookUrl_IsRefusedNamingTheField()
    {
        var v2 = await _server.Api.SubmitV2Async(TwoStepTask(Ids.New("badhook"), "ftp://example.com/x"));
        Assert.Equal((HttpStatusCode.BadRequest, 1000), (v2.Status, v2.Code));
        Assert.Contains("hooks[0].url", v2.Message, StringComparison.Ordinal);

        var v1 = await _server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo hi")), $"id={Ids.New("badhook")}&hook=not-a-url");
        Assert.Equal((HttpStatusCode.BadRequest, 1000), (v1.Status, v1.Code));
        Assert.Contains("query parameter hook", v1.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiverDown_ServerKilledAndRestarted_EveryEventStillDeliveredWithStableIds()
    {
        await using var receiver = new HookReceiver("");
        await using var server = await ServerProcess.StartAsync(["--webhook", receiver.Url]);
        var id = Ids.New("outbox");
        await server.Api.RunAsync(id, Steps.Array(Steps.Of("echo one", name: "one"), Steps.Of("echo two", name: "two")));

        // The receiver is down: the first event is tried (and fails) while the rest wait behind it.
        await Poll.UntilAsync(async () =>
        {
            var hooks = await server.Api.GetAsync($"/api/v1/task/{id}/hooks");
            return hooks.Data.GetArrayLength() == TwoStepSequence.Length && hooks.Data[0].GetProperty("attempts").GetInt32() > 0;
        }, Poll.Short, "a failed delivery attempt");

        await server.RestartAsync(kill: true);
        receiver.Start();

        await Poll.UntilAsync(() => receiver.Of(id).Select(e => e.Id).Distinct().Count() >= TwoStepSequence.Length, Poll.Short, "all six events delivered after the restart");
        var events = receiver.Of(id);
        Assert.Equal(TwoStepSequence, events.DistinctBy(e => e.Id).Select(e => $"{e.Type}:{e.Step}"));
        // A duplicate (at least once) is the same event: same id, same body.
        Assert.All(events.GroupBy(e => e.Id), g => Assert.Single(g.Select(e => e.Body).Distinct()));
        Assert.Contains("attempts", (await server.Api.GetAsync($"/api/v1/task/{id}/hooks")).Body, StringComparison.Ordinal);
    }

    private static JsonObject TwoStepTask(string id, string url) => new()
    {
        ["id"] = id,
        ["hooks"] = new JsonArray(new JsonObject { ["url"] = url, ["secret"] = Secret }),
        ["step"] = Steps.Array(Steps.Of("echo one", name: "one"), Steps.Of("echo two", name: "two")),
    };
}
