using System.Diagnostics;
using System.Net;
using RemoteExecutor.Tests.Harness;
using Xunit.Abstractions;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Durability;

/// <summary>SIGTERM with and without <c>--normal</c>: drain everything, or kill and record every running step.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class GracefulStopTests
{
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(90);

    private readonly ITestOutputHelper _output;

    public GracefulStopTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Sigterm_WithNormal_AnswersWhileDrainingAndFinishesEveryQueuedTask()
    {
        await using var server = await ServerProcess.StartAsync(["--normal", "--pool_size=1"]);
        var ids = Enumerable.Range(1, 3).Select(i => Ids.New($"drain{i}x")).ToList();
        foreach (var id in ids)
        {
            await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of("sleep 1; echo done", name: "work")));
        }

        var pid = server.Pid ?? throw new InvalidOperationException("the server is not running");
        var clock = Stopwatch.StartNew();
        await SignalAsync(pid, "TERM");

        // While it drains, it answers: submits are refused with 503, reads and probes work. A submit that
        // slips in before the signal is handled is accepted, and must then be drained like the others.
        var refusedId = "";
        var refused = await Poll.UntilAsync(
            async () =>
            {
                refusedId = Ids.New("refused");
                var answer = await server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo done", name: "work")), $"id={refusedId}");
                if (answer.Status == HttpStatusCode.OK)
                {
                    ids.Add(refusedId);
                }

                return (answer.Status != HttpStatusCode.OK, answer);
            },
            TimeSpan.FromSeconds(10),
            last => $"submits were still accepted 10 s after SIGTERM: {last}");
        _output.WriteLine($"submit {clock.Elapsed.TotalSeconds:0.00} s after SIGTERM: {refused}; accepted before: {ids.Count - 3}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        AssertEnvelope(refused, "submit while draining");
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("shutting down", refused.Message, StringComparison.OrdinalIgnoreCase);
        var health = await server.Api.GetAsync("/healthyz");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        var reading = await server.Api.DetailAsync(ids[^1]);
        Assert.Equal(HttpStatusCode.OK, reading.Status);
        Assert.True(server.Pid is not null, "the server exited before the queued tasks could have run");

        await Poll.UntilAsync(() => server.Pid is null, DrainDeadline, $"the server did not exit within {DrainDeadline.TotalSeconds} s of SIGTERM with --normal");
        _output.WriteLine($"exited {clock.Elapsed.TotalSeconds:0.00} s after SIGTERM");
        Assert.Equal(0, await server.StopAsync());

        await server.RestartAsync(kill: false);
        foreach (var id in ids)
        {
            var detail = await server.Api.DetailAsync(id);
            Assert.True(detail.Status == HttpStatusCode.OK && detail.Code == 0 && detail.Header("X-Task-STATE") == "Stop",
                $"task {id} did not finish during the drain: {detail}");
            Assert.Equal(0, State(detail.Step("work")));
            Assert.Equal(["done"], TaskApi.Lines(await server.Api.ConsoleAsync(id, "work")));
        }

        var never = await server.Api.DetailAsync(refusedId);
        Assert.Equal(HttpStatusCode.NotFound, never.Status);
        Assert.Equal(1003, never.Code);
    }

    [Fact]
    public async Task Sigterm_WithNormal_WhileRunsEndAtThatMoment_ExitsAfterFinishingThem()
    {
        // Grains collected after 2 s idle and not kept alive (test-only): the drain must not depend on activations.
        await using var server = await ServerProcess.StartAsync(["--normal"], FastCollectionServerFixture.FastCollectionEnv);
        var release = Path.Combine(server.Root, "release");
        var ids = Enumerable.Range(1, 12).Select(i => Ids.New($"edge{i}x")).ToList();
        foreach (var id in ids)
        {
            await server.Api.SubmitOkAsync(id, Steps.Array(
                Steps.Of($"while [ ! -e '{release}' ]; do sleep 0.05; done; echo done", name: "work"),
                Steps.Of("echo after", name: "after", dependsOn: ["work"])));
        }

        foreach (var id in ids)
        {
            await server.Api.WaitForStepRunningAsync(id, "work");
        }

        var pid = server.Pid ?? throw new InvalidOperationException("the server is not running");
        await File.WriteAllTextAsync(release, "");
        await SignalAsync(pid, "TERM");

        await Poll.UntilAsync(() => server.Pid is null, DrainDeadline, $"the server did not exit within {DrainDeadline.TotalSeconds} s of SIGTERM with --normal\n{server.ReadLog()}");
        Assert.Equal(0, await server.StopAsync());

        await server.RestartAsync(kill: false);
        foreach (var id in ids)
        {
            var detail = await server.Api.DetailAsync(id);
            Assert.True(detail.Status == HttpStatusCode.OK && detail.Header("X-Task-STATE") == "Stop", $"task {id} did not finish during the drain: {detail}");
            Assert.Equal(0, State(detail.Step("work")));
            Assert.Equal(0, State(detail.Step("after")));
        }
    }

    [Fact]
    public async Task Sigterm_WithNormal_DoesNotWaitForPausedOrDelayedTasks_WhichGoOnAfterTheRestart()
    {
        await using var server = await ServerProcess.StartAsync(["--normal"]);
        var delayed = Ids.New("drainlater");
        var paused = Ids.New("drainpaused");
        await server.Api.SubmitOkAsync(delayed, Steps.Array(Steps.Of("echo later", name: "s")), "delay=1h");
        await server.Api.SubmitOkAsync(paused, Steps.Array(Steps.Of("sleep 1", name: "a"), Steps.Of("echo b", name: "b", dependsOn: ["a"])));
        Assert.Equal(HttpStatusCode.OK, (await server.Api.SendAsync(HttpMethod.Put, $"/api/v1/task/{paused}?action=pause")).Status);
        await Poll.UntilAsync(async () => State((await server.Api.DetailAsync(paused)).Step("a")) == 0, Poll.Short, "step a of the paused task never finished");

        var pid = server.Pid ?? throw new InvalidOperationException("the server is not running");
        await SignalAsync(pid, "TERM");
        await Poll.UntilAsync(() => server.Pid is null, TimeSpan.FromSeconds(30), $"--normal waited for held tasks\n{server.ReadLog()}");
        Assert.Equal(0, await server.StopAsync());

        await server.RestartAsync(kill: false);
        Assert.Equal("Pending", (await server.Api.DetailAsync(delayed)).Header("X-Task-STATE"));
        Assert.Equal("Paused", (await server.Api.DetailAsync(paused)).Header("X-Task-STATE"));
        Assert.Equal(HttpStatusCode.OK, (await server.Api.SendAsync(HttpMethod.Put, $"/api/v1/task/{paused}?action=resume")).Status);
        var done = await Poll.UntilAsync(
            async () =>
            {
                var detail = await server.Api.DetailAsync(paused);
                return (detail.Header("X-Task-STATE") == "Stop", detail);
            },
            Poll.Short,
            last => $"the resumed task did not finish: {last}");
        Assert.Equal(0, State(done.Step("b")));
    }

    [Fact]
    public async Task Sigterm_WithoutNormal_RecordsTheRunningStepKilledByTheShutdown()
    {
        var marker = Marker(720_000);
        await using var server = await ServerProcess.StartAsync();
        try
        {
            var id = Ids.New("shutdown");
            await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of($"echo started; {marker}", name: "running"), Steps.Of("echo never", name: "later")));
            await server.Api.WaitForStepRunningAsync(id, "running");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started");

            await server.StopAsync();
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, TimeSpan.FromSeconds(10), $"'{marker}' outlived the graceful stop");
            await server.RestartAsync(kill: false);

            var listed = await WaitListedFinalAsync(server.Api, id, Poll.Short);
            _output.WriteLine($"listed after restart: {listed}");
            var detail = await server.Api.DetailAsync(id);
            var running = detail.Step("running");
            Assert.Equal(-255, State(running));
            Assert.Contains("shutting down", Msg(running), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(4, State(detail.Step("later")));
            Assert.Equal(1002, detail.Code);
            var console = await server.Api.ConsoleAsync(id, "running");
            Assert.Contains("shutting down", console.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(["started"], TaskApi.Lines(console));
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }
}
