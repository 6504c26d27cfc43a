using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Server of the controls tests: its own, because two of them restart it.</summary>
public sealed class ControlsServerFixture : ServerFixture;

/// <summary>The operator's controls through the real binary: pause/resume, when conditions, max_parallel, delayed start.</summary>
public sealed class ControlsTests : IClassFixture<ControlsServerFixture>
{
    /// <summary>How long a test watches that something does NOT happen (a paused step that must not start).</summary>
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(1.5);

    private readonly ControlsServerFixture _fixture;

    public ControlsTests(ControlsServerFixture fixture) => _fixture = fixture;

    private ServerProcess Server => _fixture.Server;

    // The server may have been restarted: always take its current client.
    private TaskApi Api => Server.Api;

    private static int State(ApiAnswer detail, string step) => detail.Step(step).GetProperty("state").GetInt32();

    private Task<ApiAnswer> ControlAsync(string id, string query, string? step = null) =>
        Api.SendAsync(HttpMethod.Put, $"/api/v1/task/{id}{(step is null ? "" : "/" + step)}?{query}");

    private static DateTimeOffset StartOf(ApiAnswer detail, string step) =>
        DateTimeOffset.Parse(detail.Step(step).GetProperty("times").GetProperty("st").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal);

    private string Gate(string id) => Path.Combine(Server.Root, "gate-" + id);

    private static string WaitFor(string gate) => $"while [ ! -e '{gate}' ]; do sleep 0.1; done";

    /// <summary>Checks <paramref name="check"/> on the detail for <see cref="Watch"/>; fails at the first detail where it does not hold.</summary>
    private async Task HoldsForAWhileAsync(string id, Func<ApiAnswer, bool> check, string what)
    {
        var until = DateTime.UtcNow + Watch;
        while (DateTime.UtcNow < until)
        {
            var detail = await Api.DetailAsync(id);
            Assert.True(check(detail), $"{what}; detail: {detail}");
            await Task.Delay(Poll.Interval);
        }
    }

    [Fact]
    public async Task PauseTask_BetweenSteps_NoNewStepUntilResumed()
    {
        var id = Ids.New("pausedag");
        var gate = Gate(id);
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of(WaitFor(gate), name: "first"), Steps.Of("echo second", name: "second")));
        await Api.WaitForStepRunningAsync(id, "first");

        var pause = await ControlAsync(id, "action=pause");
        Assert.True(pause.Status == HttpStatusCode.OK && pause.Code == 0, $"pause: {pause}");
        Assert.Contains("1 step already running go on", pause.Message, StringComparison.Ordinal);
        var paused = await Api.DetailAsync(id);
        Assert.Equal("Paused", paused.Header("X-Task-STATE"));
        Assert.Equal(1005, paused.Code);
        Assert.Equal(3, TaskApi.ListedTasks(await Api.ListAsync())[id].GetProperty("state").GetInt32());

        // The running step finishes; the next one does not start while the task is paused.
        await File.WriteAllTextAsync(gate, "");
        await Api.WaitForStepAsync(id, "first", s => s.GetProperty("state").GetInt32() == 0, "never finished");
        await HoldsForAWhileAsync(id, d => State(d, "second") == 2 && d.Header("X-Task-STATE") == "Paused", "the second step started during the pause");

        var resume = await ControlAsync(id, "action=resume");
        Assert.True(resume.Status == HttpStatusCode.OK && resume.Code == 0, $"resume: {resume}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("Stop", done.Header("X-Task-STATE"));
        Assert.Equal(0, done.Code);
        Assert.Equal(["second"], TaskApi.Lines(await Api.ConsoleAsync(id, "second")));

        var again = await ControlAsync(id, "action=pause");
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Contains("already finished", again.Message, StringComparison.Ordinal);
        Assert.Contains(Server.ReadLog().Split('\n'), l => l.Contains($"Task {id} paused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PauseTask_WithDuration_EndsByItselfAcrossARestart()
    {
        var id = Ids.New("pausedur");
        var gate = Gate(id);
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of(WaitFor(gate), name: "first"), Steps.Of("echo second", name: "second")));
        await Api.WaitForStepRunningAsync(id, "first");
        var pause = await ControlAsync(id, "action=pause&duration=8s");
        Assert.True(pause.Status == HttpStatusCode.OK && pause.Code == 0, $"pause: {pause}");
        var until = DateTimeOffset.Now.AddSeconds(8);
        Assert.Contains(" until ", pause.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(gate, "");
        await Api.WaitForStepAsync(id, "first", s => s.GetProperty("state").GetInt32() == 0, "never finished");
        await Server.RestartAsync(kill: true);

        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("Stop", done.Header("X-Task-STATE"));
        Assert.Equal(0, State(done, "second"));
        // Not before the pause's end (the times have whole seconds), so the pause outlived the restart.
        Assert.True(StartOf(done, "second") >= until.AddSeconds(-1.5), $"second started before the pause ended at {until:HH:mm:ss}: {done}");
    }

    [Fact]
    public async Task PauseStep_NotStarted_WaitsWhileTheOthersProceed()
    {
        var id = Ids.New("pausestep");
        var gate = Gate(id);
        await Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of(WaitFor(gate), name: "a"),
            Steps.Of("echo b", name: "b"),
            Steps.Of("echo c", name: "c", dependsOn: ["a"])), "async=true");
        await Api.WaitForStepRunningAsync(id, "a");

        var pause = await ControlAsync(id, "action=pause", "c");
        Assert.True(pause.Status == HttpStatusCode.OK && pause.Code == 0, $"pause: {pause}");
        var detail = await Api.DetailAsync(id);
        Assert.Equal(3, State(detail, "c"));
        Assert.Contains("paused", detail.Step("c").GetProperty("msg").GetString(), StringComparison.Ordinal);
        var running = await ControlAsync(id, "action=pause", "a");
        Assert.Contains("already running", running.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(gate, "");
        await Api.WaitForStepAsync(id, "a", s => s.GetProperty("state").GetInt32() == 0, "never finished");
        await Api.WaitForStepAsync(id, "b", s => s.GetProperty("state").GetInt32() == 0, "never finished");
        await HoldsForAWhileAsync(id, d => State(d, "c") == 3 && !TaskApi.FinalStateNames.Contains(d.Header("X-Task-STATE")!), "the paused step started");
        var finished = await ControlAsync(id, "action=pause", "b");
        Assert.Equal(HttpStatusCode.OK, finished.Status);
        Assert.Contains("already finished", finished.Message, StringComparison.Ordinal);

        var resume = await ControlAsync(id, "action=resume", "c");
        Assert.True(resume.Status == HttpStatusCode.OK && resume.Code == 0, $"resume: {resume}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, done.Code);
        Assert.Equal(["c"], TaskApi.Lines(await Api.ConsoleAsync(id, "c")));
    }

    [Fact]
    public async Task When_OnFailureAndAlwaysInADiamond_RunAsTheirConditionsSay()
    {
        var failing = Ids.New("whenfail");
        var passing = Ids.New("whenok");
        JsonArray Diamond(string exitOfB) => Steps.Array(
            Steps.Of("echo a", name: "a"),
            Steps.Of($"exit {exitOfB}", name: "b", dependsOn: ["a"]),
            Steps.Of("echo c", name: "c", dependsOn: ["a"]),
            When(Steps.Of("echo d", name: "d", dependsOn: ["b", "c"]), "always"),
            When(Steps.Of("echo rescue", name: "rescue", dependsOn: ["b"]), "on_failure"));
        await Api.SubmitOkAsync(failing, Diamond("3"), "async=true");
        await Api.SubmitOkAsync(passing, Diamond("0"), "async=true");

        var failed = await Api.WaitForFinalAsync(failing);
        Assert.Equal("Stop", failed.Header("X-Task-STATE"));
        Assert.Equal(1002, failed.Code);
        Assert.Equal(0, State(failed, "d"));
        Assert.Equal(0, State(failed, "rescue"));
        Assert.Equal(["rescue"], TaskApi.Lines(await Api.ConsoleAsync(failing, "rescue")));
        Assert.Equal("on_failure", failed.Step("rescue").GetProperty("when").GetString());

        // No failure: the on_failure step is skipped, naming why, and the task succeeds.
        var passed = await Api.WaitForFinalAsync(passing);
        Assert.Equal(0, passed.Code);
        Assert.Equal(0, State(passed, "d"));
        Assert.Equal(4, State(passed, "rescue"));
        Assert.Contains("on_failure", passed.Step("rescue").GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxParallel_Two_NeverShowsThreeRunning()
    {
        var id = Ids.New("maxpar");
        var steps = Steps.Array([.. Enumerable.Range(1, 10).Select(i => Steps.Of("sleep 0.5", name: $"s{i}"))]);
        await Api.SubmitOkAsync(id, steps, "async=true&max_parallel=2");

        var most = 0;
        var done = await Poll.UntilAsync(
            async () =>
            {
                var detail = await Api.DetailAsync(id);
                var running = detail.Data.EnumerateArray().Count(s => s.GetProperty("state").GetInt32() == 1);
                most = Math.Max(most, running);
                Assert.True(running <= 2, $"{running} steps run at once with max_parallel=2: {detail}");
                return (TaskApi.FinalStateNames.Contains(detail.Header("X-Task-STATE") ?? ""), detail);
            },
            Poll.Short,
            last => $"task {id} did not finish: {last}");
        Assert.Equal(0, done.Code);
        Assert.InRange(most, 1, 2);
    }

    [Fact]
    public async Task DelayedTask_AcrossARestart_StartsAtItsTime()
    {
        var id = Ids.New("delayed");
        var submit = await Api.SubmitV2Async(new JsonObject
        {
            ["id"] = id,
            ["delay"] = "6s",
            ["step"] = Steps.Array(Steps.Of("echo late", name: "only")),
        });
        var due = DateTimeOffset.Now.AddSeconds(6);
        Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"submit: {submit}");
        Assert.Contains("starts at", submit.Message, StringComparison.Ordinal);
        var pending = await Api.DetailAsync(id);
        Assert.Equal("Pending", pending.Header("X-Task-STATE"));
        Assert.Equal(1004, pending.Code);
        Assert.Contains("starts at", pending.Message, StringComparison.Ordinal);

        await Server.RestartAsync(kill: true);
        var up = DateTimeOffset.Now;

        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, done.Code);
        var started = StartOf(done, "only");
        var expected = due > up ? due : up;
        Assert.True(started >= due.AddSeconds(-1.5), $"started at {started:HH:mm:ss}, before its time {due:HH:mm:ss}");
        Assert.True(started <= expected.AddSeconds(2.5), $"started at {started:HH:mm:ss}; due {due:HH:mm:ss}, server up at {up:HH:mm:ss}");
    }

    [Fact]
    public async Task Kill_OfAPausedAndOfADelayedTask_KillsThem()
    {
        var paused = Ids.New("killpaused");
        await Api.SubmitOkAsync(paused, Steps.Array(Steps.Of("sleep 30", name: "slow"), Steps.Of("echo never", name: "after")));
        await Api.WaitForStepRunningAsync(paused, "slow");
        Assert.Equal(0, (await ControlAsync(paused, "action=pause")).Code);

        var delayed = Ids.New("killdelayed");
        await Api.SubmitOkAsync(delayed, Steps.Array(Steps.Of("echo never", name: "only")), "delay=1h");
        var pauseDelayed = await ControlAsync(delayed, "action=pause");
        Assert.Equal(0, pauseDelayed.Code);
        Assert.Equal("Paused", (await Api.DetailAsync(delayed)).Header("X-Task-STATE"));

        foreach (var id in new[] { paused, delayed })
        {
            var kill = await ControlAsync(id, "action=kill");
            Assert.True(kill.Status == HttpStatusCode.OK && kill.Code == 0, $"kill of {id}: {kill}");
        }

        var killedPaused = await Api.WaitForFinalAsync(paused);
        Assert.Equal("Killed", killedPaused.Header("X-Task-STATE"));
        Assert.Equal(-255, State(killedPaused, "slow"));
        Assert.Equal(4, State(killedPaused, "after"));
        var killedDelayed = await Api.WaitForFinalAsync(delayed);
        Assert.Equal("Killed", killedDelayed.Header("X-Task-STATE"));
        Assert.Equal(4, State(killedDelayed, "only"));
    }

    [Fact]
    public async Task BadControlsAndFields_AreRefusedNamingTheField()
    {
        var id = Ids.New("badctl");
        await Api.RunAsync(id, Steps.Array(Steps.Of("true", name: "only")));

        var unknown = await ControlAsync(id, "action=suspend");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal(1000, unknown.Code);
        Assert.Contains("kill, pause, resume", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("duration", (await ControlAsync(id, "action=pause&duration=soon")).Message, StringComparison.Ordinal);

        var cases = new (JsonObject Task, string Field)[]
        {
            (new JsonObject { ["run_at"] = "tomorrow" }, "run_at"),
            (new JsonObject { ["delay"] = "-5s" }, "delay"),
            (new JsonObject { ["delay"] = "100000h" }, "delay"),
            (new JsonObject { ["max_parallel"] = 0 }, "max_parallel"),
            (new JsonObject { ["async"] = true, ["step"] = Steps.Array(Steps.Of("true", name: "a"), When(Steps.Of("true", name: "b", dependsOn: ["a"]), "sometimes")) }, "step[1].when"),
        };
        foreach (var (task, field) in cases)
        {
            task["step"] ??= Steps.Array(Steps.Of("true"));
            var answer = await Api.SubmitV2Async(task);
            Assert.True(answer.Status == HttpStatusCode.BadRequest && answer.Code == 1000, $"{task.ToJsonString()}: {answer}");
            Assert.Contains(field, answer.Message, StringComparison.Ordinal);
        }

        var v1 = await Api.SubmitV1Async(Steps.Array(Steps.Of("true")), "max_parallel=two");
        Assert.Equal(HttpStatusCode.BadRequest, v1.Status);
        Assert.Contains("max_parallel", v1.Message, StringComparison.Ordinal);
    }

    private static JsonObject When(JsonObject step, string when)
    {
        step["when"] = when;
        return step;
    }
}
