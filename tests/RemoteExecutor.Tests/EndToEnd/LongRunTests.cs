using System.Net;
using RemoteExecutor.Tests.Harness;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>
/// Runs that outlive their grains' activations (collection age 2 s, no keep-alive: test-only settings): a task
/// finishes by itself with nobody reading it, and a kill or a task deadline reaches a process whose task and step
/// grains were deactivated.
/// </summary>
public sealed class LongRunTests : IClassFixture<FastCollectionServerFixture>
{
    private static readonly TimeSpan Deactivation = TimeSpan.FromSeconds(30);

    private readonly FastCollectionServerFixture _fixture;

    public LongRunTests(FastCollectionServerFixture fixture) => _fixture = fixture;

    private ServerProcess Server => _fixture.Server;

    private TaskApi Api => _fixture.Api;

    [Fact]
    public async Task MiddleStep_OutlivingSeveralCollectionAges_TaskFinishesByItselfWithItsStartTimes()
    {
        var id = Ids.New("longmid");
        var done = Path.Combine(Server.Root, "release-" + id);
        await Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of("echo first", name: "first"),
            Steps.Of($"while [ ! -e '{done}' ]; do sleep 0.2; done; echo middle", name: "middle", dependsOn: ["first"]),
            Steps.Of("echo last", name: "last", dependsOn: ["middle"])));
        var running = await Api.WaitForStepRunningAsync(id, "middle");
        var startedAt = running.Step("middle").GetProperty("times").GetProperty("st").GetString();

        // The middle step runs on while its task and step grains are collected.
        await WaitDeactivatedAsync($"Task {id} deactivated", $"/{id}/middle deactivated");
        var whileRunning = await Api.DetailAsync(id);
        Assert.Equal(1, State(whileRunning.Step("middle")));
        Assert.Equal(startedAt, whileRunning.Step("middle").GetProperty("times").GetProperty("st").GetString());
        await WaitDeactivatedAsync($"Task {id} deactivated", $"Task {id} deactivated", occurrences: 2);

        await File.WriteAllTextAsync(done, "");

        // Nobody reads the task: only the list (the read model) is watched until it says the task is done.
        var listed = await WaitListedFinalAsync(Api, id, Poll.Short);
        Assert.Equal(0, listed.GetProperty("state").GetInt32());
        Assert.Equal("all steps executed successfully", listed.GetProperty("msg").GetString());

        var detail = await Api.DetailAsync(id);
        Assert.Equal("Stop", detail.Header("X-Task-STATE"));
        foreach (var step in new[] { "first", "middle", "last" })
        {
            Assert.True(State(detail.Step(step)) == 0 && detail.Step(step).GetProperty("code").GetInt32() == 0, $"step {step}: {detail}");
        }

        Assert.Equal(startedAt, detail.Step("middle").GetProperty("times").GetProperty("st").GetString());
        Assert.Equal(["last"], TaskApi.Lines(await Api.ConsoleAsync(id, "last")));
    }

    [Fact]
    public async Task Kill_OfAStepWhoseGrainsWereDeactivated_EndsItsProcess()
    {
        var marker = Marker(750_000);
        try
        {
            var id = Ids.New("longkill");
            await Api.SubmitOkAsync(id, Steps.Array(Steps.Of(marker, name: "long"), Steps.Of("echo never", name: "after", dependsOn: ["long"])));
            await Api.WaitForStepRunningAsync(id, "long");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started");
            await WaitDeactivatedAsync($"Task {id} deactivated", $"/{id}/long deactivated");

            var kill = await Api.KillTaskAsync(id);
            Assert.True(kill.Status == HttpStatusCode.OK && kill.Code == 0, $"kill: {kill}");
            var detail = await Api.WaitForFinalAsync(id);
            Assert.Equal("Killed", detail.Header("X-Task-STATE"));
            Assert.Equal(-255, State(detail.Step("long")));
            Assert.Equal(4, State(detail.Step("after")));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, Poll.Short, $"'{marker}' still runs after the kill");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task TaskDeadline_OfAStepWhoseGrainsWereDeactivated_TimesItOut()
    {
        var marker = Marker(760_000);
        try
        {
            var id = Ids.New("longdl");
            await Api.SubmitOkAsync(id, Steps.Array(Steps.Of(marker, name: "long")), "timeout=12s");
            await Api.WaitForStepRunningAsync(id, "long");
            await WaitDeactivatedAsync($"Task {id} deactivated", $"/{id}/long deactivated");

            // The deadline's timer died with the activation: the reminder brings the task back and times it out.
            var listed = await WaitListedFinalAsync(Api, id, TimeSpan.FromSeconds(60));
            Assert.Equal(-256, listed.GetProperty("state").GetInt32());
            var detail = await Api.DetailAsync(id);
            Assert.Equal(-256, State(detail.Step("long")));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, Poll.Short, $"'{marker}' still runs after the deadline");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task DelayedTask_WhoseGrainWasDeactivated_StartsThroughItsReminder()
    {
        var id = Ids.New("longdelay");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("echo on time", name: "only")), "delay=7s");

        // The start timer dies with the activation: only the stored reminder can bring the task back.
        await Poll.UntilAsync(() => Server.LogContains($"Task {id} deactivated"), Deactivation, $"task {id} was never deactivated");
        var listed = await WaitListedFinalAsync(Api, id, TimeSpan.FromSeconds(60));
        Assert.Equal(0, listed.GetProperty("state").GetInt32());
        Assert.Equal(["on time"], TaskApi.Lines(await Api.ConsoleAsync(id, "only")));
    }

    [Fact]
    public async Task FanOut_WhoseGrainsWereDeactivated_FinishesByItselfWhenItsRunEnds()
    {
        var id = Ids.New("longfan");
        var node = await FanOutTests.NodeAsync(Api);
        var done = Path.Combine(Server.Root, "release-" + id);
        var submit = await Api.SubmitV2Async(FanOutTests.FanOut(id, Steps.Array(
            Steps.Of($"while [ ! -e '{done}' ]; do sleep 0.2; done; echo held", name: "held"))));
        Assert.True(submit.Code == 0, $"fan-out submit: {submit}");
        await Poll.UntilAsync(
            async () => (await Api.GetAsync($"/api/v1/task/{id}?node={node}")) is { Status: HttpStatusCode.OK } d && State(d.Step("held")) == 1,
            Poll.Short,
            $"step held of {id} never ran on {node}");

        // The fan-out, its node's run and the step are all collected while the process goes on.
        await WaitDeactivatedAsync($"Task {id} deactivated", $"Task {id}@{node} deactivated");
        await File.WriteAllTextAsync(done, "");

        // Nobody reads it: the run's end reactivates the fan-out, which finishes and says so in the list.
        var listed = await WaitListedFinalAsync(Api, id, Poll.Short);
        Assert.Equal(0, listed.GetProperty("state").GetInt32());
        var detail = await Api.DetailAsync(id);
        Assert.True(detail.Code == 0, $"fan-out detail: {detail}");
        var run = Assert.Single(detail.Json!.Value.GetProperty("runs").EnumerateArray());
        Assert.Equal(0, run.GetProperty("result").GetInt32());
        Assert.Equal(["held"], TaskApi.Lines(await Api.GetAsync($"/api/v1/task/{id}/held/console?node={node}")));
    }

    /// <summary>Waits until the server's debug log shows each deactivation (<paramref name="occurrences"/> of the first).</summary>
    private Task WaitDeactivatedAsync(string first, string second, int occurrences = 1) =>
        Poll.UntilAsync(
            () => Server.LogCount(first) >= occurrences && Server.LogContains(second),
            Deactivation,
            $"no deactivation seen in the log: '{first}' x{occurrences}, '{second}'");
}
