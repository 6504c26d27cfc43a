using System.Diagnostics;
using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Stopping work: step and task timeouts, killing a task or a step, and no process left behind.</summary>
[Collection(ExecServerCollection.Name)]
public sealed class ControlTests
{
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(10);

    private readonly ServerProcess _server;

    public ControlTests(ExecServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    private static int State(ApiAnswer detail, string step) => detail.Step(step).GetProperty("state").GetInt32();

    [Fact]
    public async Task StepTimeout_SleepingStep_TimesOutFast()
    {
        var id = Ids.New("steptime");
        var clock = Stopwatch.StartNew();
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("sleep 30", name: "slow", timeout: "1s"), Steps.Of("echo never", name: "after")));
        clock.Stop();

        Assert.True(clock.Elapsed < Fast, $"a 1 s step timeout took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(-256, State(detail, "slow"));
        Assert.Contains("timed out", detail.Step("slow").GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, State(detail, "after"));
        Assert.Equal(1002, detail.Code);
        Assert.Equal(1002, (await Api.ConsoleAsync(id, "slow")).Code);
    }

    [Fact]
    public async Task TaskTimeout_RunningStepTimesOutAndLaterStepsAreSkipped()
    {
        var id = Ids.New("tasktime");
        var clock = Stopwatch.StartNew();
        var detail = await Api.RunAsync(id, Steps.Array(
            Steps.Of("echo working", name: "quick"),
            Steps.Of("sleep 30", name: "slow"),
            Steps.Of("echo never", name: "after")), "timeout=2s");
        clock.Stop();

        Assert.True(clock.Elapsed < Fast, $"a 2 s task timeout took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("Timeout", detail.Header("X-Task-STATE"));
        Assert.Equal(0, State(detail, "quick"));
        Assert.Equal(-256, State(detail, "slow"));
        Assert.Equal(4, State(detail, "after"));
        Assert.NotEqual(0, detail.Code);

        var listed = TaskApi.ListedTasks(await Api.ListAsync())[id];
        Assert.Equal(-256, listed.GetProperty("state").GetInt32());
    }

    [Fact]
    public async Task KillTask_RunningTask_IsKilledAndPendingStepsSkipped()
    {
        var id = Ids.New("killtask");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("sleep 30", name: "slow"), Steps.Of("echo never", name: "after")));
        await Api.WaitForStepRunningAsync(id, "slow");

        var kill = await Api.KillTaskAsync(id);
        Assert.Equal(HttpStatusCode.OK, kill.Status);
        Assert.Equal(0, kill.Code);

        var detail = await Api.WaitForFinalAsync(id, Fast);
        Assert.Equal("Killed", detail.Header("X-Task-STATE"));
        Assert.Equal(-255, State(detail, "slow"));
        Assert.Equal(4, State(detail, "after"));
        Assert.Equal(-255, TaskApi.ListedTasks(await Api.ListAsync())[id].GetProperty("state").GetInt32());

        // Killing it again changes nothing.
        var again = await Api.KillTaskAsync(id);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal("Killed", (await Api.DetailAsync(id)).Header("X-Task-STATE"));
    }

    [Fact]
    public async Task KillStep_OneOfTwoParallelSteps_OnlyThatStepIsKilled()
    {
        var id = Ids.New("killstep");
        await Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of("sleep 30", name: "victim"),
            Steps.Of("sleep 2; echo survived", name: "bystander")), "async=true");
        await Api.WaitForStepRunningAsync(id, "victim");

        var kill = await Api.KillStepAsync(id, "victim");
        Assert.Equal(HttpStatusCode.OK, kill.Status);
        Assert.Equal(0, kill.Code);

        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(-255, State(detail, "victim"));
        Assert.Equal(0, State(detail, "bystander"));
        Assert.Equal(0, detail.Step("bystander").GetProperty("code").GetInt32());
        Assert.Equal(["survived"], TaskApi.Lines(await Api.ConsoleAsync(id, "bystander")));
        Assert.Equal(1002, detail.Code);
    }

    [Fact]
    public async Task KillStep_UnknownStep_Answers404()
    {
        var id = Ids.New("killnone");
        await Api.RunAsync(id, Steps.Array(Steps.Of("true", name: "only")));
        var kill = await Api.KillStepAsync(id, "other");
        Assert.Equal(HttpStatusCode.NotFound, kill.Status);
        Assert.Equal(1003, kill.Code);
    }

    [Theory]
    [InlineData("step")]
    [InlineData("task")]
    [InlineData("timeout")]
    public async Task Kill_StepWithBackgroundChildren_LeavesNoProcessBehind(string how)
    {
        // A number of seconds nobody else uses marks this test's processes in ps.
        var seconds = 900_000 + Random.Shared.Next(99_999);
        var marker = $"sleep {seconds}";
        var id = Ids.New("orphans");
        await Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of($"{marker} & {marker} & echo spawned; wait", name: "parent", timeout: how == "timeout" ? "5s" : null)));
        await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 2, Poll.Short, $"two '{marker}' processes never showed up");

        if (how == "step")
        {
            Assert.Equal(0, (await Api.KillStepAsync(id, "parent")).Code);
        }
        else if (how == "task")
        {
            Assert.Equal(0, (await Api.KillTaskAsync(id)).Code);
        }

        await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, TimeSpan.FromSeconds(20), $"'{marker}' processes outlived the step ({how})");
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(how == "timeout" ? -256 : -255, State(detail, "parent"));
    }

    [Theory]
    [InlineData("subshell", "( MARKER & ); echo spawned; sleep 30")]
    [InlineData("nohup", "nohup MARKER >/dev/null 2>&1 & echo spawned; sleep 30")]
    public async Task KillStep_DetachedGrandchild_LeavesNoProcessBehind(string how, string script)
    {
        var seconds = 500_000 + Random.Shared.Next(99_999);
        var marker = $"sleep {seconds}";
        var id = Ids.New("detached");
        try
        {
            await Api.SubmitOkAsync(id, Steps.Array(Steps.Of(script.Replace("MARKER", marker, StringComparison.Ordinal), name: "parent")));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started ({how})");
            Assert.Equal(0, (await Api.KillStepAsync(id, "parent")).Code);
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, TimeSpan.FromSeconds(20), $"'{marker}' outlived the killed step ({how})");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task StepExit_BackgroundChildStillRunning_IsNotLeftBehind()
    {
        var seconds = 400_000 + Random.Shared.Next(99_999);
        var marker = $"sleep {seconds}";
        var id = Ids.New("leftover");
        try
        {
            var detail = await Api.RunAsync(id, Steps.Array(Steps.Of($"nohup {marker} >/dev/null 2>&1 & echo spawned", name: "quick")));
            Assert.Equal(0, detail.Code);
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, TimeSpan.FromSeconds(20), $"'{marker}' outlived its finished step");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }
}
