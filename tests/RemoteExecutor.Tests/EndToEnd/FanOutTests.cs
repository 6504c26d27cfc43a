using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;
using RemoteExecutor.Tests.Storage;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Server of the single-node fan-out tests: its own, because two of them restart it.</summary>
public sealed class FanOutServerFixture : ServerFixture;

/// <summary>
/// Fan-out (<c>targets</c>) on one server: <c>{"all":true}</c> selects its only node, so the fan-out has one run
/// (<c>&lt;id&gt;@&lt;node&gt;</c>). Re-submit, delayed start, pause/resume and a SIGKILL mid-run, through the binary.
/// </summary>
public sealed class FanOutTests : IClassFixture<FanOutServerFixture>
{
    /// <summary>How long a test watches that something does NOT happen (a held node that must not start).</summary>
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(1.5);

    private readonly FanOutServerFixture _fixture;

    public FanOutTests(FanOutServerFixture fixture) => _fixture = fixture;

    private ServerProcess Server => _fixture.Server;

    // The server may have been restarted: always take its current client.
    private TaskApi Api => Server.Api;

    /// <summary>A v2 fan-out body to every node (here: the one node).</summary>
    public static JsonObject FanOut(string id, JsonArray steps, JsonObject? targets = null) => new()
    {
        ["id"] = id,
        ["targets"] = targets ?? new JsonObject { ["all"] = true },
        ["step"] = steps,
    };

    /// <summary>The name of the server's one node.</summary>
    public static async Task<string> NodeAsync(TaskApi api)
    {
        var nodes = await api.GetAsync("/api/v1/nodes");
        return Assert.Single(nodes.Data.GetProperty("nodes").EnumerateArray()).GetProperty("name").GetString()!;
    }

    public static JsonElement Run(ApiAnswer detail, string node) =>
        Assert.Single(detail.Json!.Value.GetProperty("runs").EnumerateArray(), r => r.GetProperty("node").GetString() == node);

    private static int State(JsonElement element) => element.GetProperty("state").GetInt32();

    private async Task SubmitAsync(JsonObject task)
    {
        var submit = await Api.SubmitV2Async(task);
        Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"fan-out submit: {submit}");
    }

    private Task<ApiAnswer> NodeDetailAsync(string id, string node) => Api.GetAsync($"/api/v1/task/{id}?node={node}");

    private Task<ApiAnswer> NodeConsoleAsync(string id, string step, string node) => Api.GetAsync($"/api/v1/task/{id}/{step}/console?node={node}");

    private Task<ApiAnswer> ControlAsync(string id, string query, string? step = null) =>
        Api.SendAsync(HttpMethod.Put, $"/api/v1/task/{id}{(step is null ? "" : "/" + step)}?{query}");

    private string Gate(string id) => Path.Combine(Server.Root, "gate-" + id);

    private static string WaitFor(string gate) => $"while [ ! -e '{gate}' ]; do sleep 0.1; done";

    private string RunWorkspace(string id, string node) => Path.Combine(Server.Root, "workspace", $"{id}@{node}");

    /// <summary>Console rows the read model still holds for one step of one node's run.</summary>
    private long ConsoleRows(string runId, string step)
    {
        using var db = TaskRows.Open(Server.Root);
        using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM console_line WHERE task = $task AND step = $step";
        count.Parameters.AddWithValue("$task", runId);
        count.Parameters.AddWithValue("$step", step);
        return (long)count.ExecuteScalar()!;
    }

    /// <summary>Checks <paramref name="check"/> on the detail for <see cref="Watch"/> (at least until <paramref name="until"/>).</summary>
    private async Task HoldsForAWhileAsync(string id, Func<ApiAnswer, bool> check, string what, DateTimeOffset? until = null)
    {
        var end = DateTimeOffset.UtcNow + Watch;
        if (until is { } u && u > end)
        {
            end = u;
        }

        while (DateTimeOffset.UtcNow < end)
        {
            var detail = await Api.DetailAsync(id);
            Assert.True(check(detail), $"{what}; detail: {detail}");
            await Task.Delay(Poll.Interval);
        }
    }

    [Fact]
    public async Task Resubmit_OfAFinishedFanOut_ForgetsThePreviousRuns()
    {
        var node = await NodeAsync(Api);
        var id = Ids.New("fanagain");
        var runId = $"{id}@{node}";
        await SubmitAsync(FanOut(id, Steps.Array(Steps.Of("echo one-$TASK_NODE; echo kept > old.txt", name: "first"))));
        var first = await Api.WaitForFinalAsync(id);
        Assert.True(first.Code == 0, $"first run: {first}");
        Assert.Equal([$"one-{node}"], TaskApi.Lines(await NodeConsoleAsync(id, "first", node)));
        Assert.True(File.Exists(Path.Combine(RunWorkspace(id, node), "old.txt")), "the first run left no file in its workspace");
        var link = new Uri((await NodeDetailAsync(id, node)).Step("first").GetProperty("workspace").GetString()!);
        var files = await Api.GetAsync(link.PathAndQuery);
        Assert.True(files.Code == 0 && files.Body.Contains("old.txt", StringComparison.Ordinal), $"the workspace link of the node's detail: {files}");

        // The same id again, as a fan-out: the node's run starts afresh (its workspace, its console, its steps).
        await SubmitAsync(FanOut(id, Steps.Array(Steps.Of("test ! -e old.txt && echo fresh", name: "second"))));
        var second = await Api.WaitForFinalAsync(id);
        Assert.True(second.Code == 0, $"second run (old.txt of the first run still there?): {second}");
        Assert.Equal(["fresh"], TaskApi.Lines(await NodeConsoleAsync(id, "second", node)));
        var own = await NodeDetailAsync(id, node);
        Assert.True(own.Code == 0, $"node detail: {own}");
        Assert.Equal(["second"], own.Data.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var old = await NodeConsoleAsync(id, "first", node);
        Assert.True(old.Status == HttpStatusCode.NotFound && old.Code == 1003, $"console of the previous run's step: {old}");
        Assert.Equal(0, ConsoleRows(runId, "first"));

        // The same id as a plain task: nothing of the node's run is left.
        var plain = await Api.RunAsync(id, Steps.Array(Steps.Of("echo plain", name: "third")));
        Assert.True(plain.Code == 0, $"plain re-submit: {plain}");
        Assert.False(plain.Json!.Value.TryGetProperty("runs", out _), $"a plain task shows runs: {plain}");
        await Poll.UntilAsync(
            () => TaskRows.Count(Server.Root, runId).Values.All(c => c == 0),
            Poll.Short,
            $"rows of the forgotten run {runId} are left: {TaskRows.Describe(TaskRows.Count(Server.Root, runId))}");
        Assert.False(Directory.Exists(RunWorkspace(id, node)), $"the workspace of the forgotten run {runId} is still on disk");
        Assert.Equal(["plain"], TaskApi.Lines(await Api.ConsoleAsync(id, "third")));
    }

    [Fact]
    public async Task DelayAndRunAt_OfAFanOut_StartNoNodeBeforeItsTime()
    {
        var node = await NodeAsync(Api);
        var delayed = Ids.New("fandelay");
        var timed = Ids.New("fanrunat");
        var submitted = DateTimeOffset.UtcNow;
        var due = submitted.AddSeconds(4);
        var byDelay = FanOut(delayed, Steps.Array(Steps.Of("echo late", name: "only")));
        byDelay["delay"] = "4s";
        var byTime = FanOut(timed, Steps.Array(Steps.Of("echo late", name: "only")));
        byTime["run_at"] = due.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture);
        await SubmitAsync(byDelay);
        await SubmitAsync(byTime);

        foreach (var id in new[] { delayed, timed })
        {
            var pending = await Api.DetailAsync(id);
            Assert.True(pending.Header("X-Task-STATE") == "Pending" && pending.Code == 1004, $"delayed fan-out {id}: {pending}");
            Assert.Contains("starts at", pending.Message, StringComparison.Ordinal);
            Assert.Equal(2, State(Run(pending, node)));
            var notThere = await NodeDetailAsync(id, node);
            Assert.True(notThere.Status == HttpStatusCode.NotFound && notThere.Code == 1003, $"node detail before the start: {notThere}");
            Assert.Equal(2, TaskApi.ListedTasks(await Api.ListAsync())[id].GetProperty("state").GetInt32());
        }

        foreach (var id in new[] { delayed, timed })
        {
            var done = await Api.WaitForFinalAsync(id);
            Assert.True(done.Code == 0, $"delayed fan-out {id}: {done}");
            var started = DateTimeOffset.Parse(Run(done, node).GetProperty("start_time").GetString()!, CultureInfo.InvariantCulture);
            // The server's clock is this machine's: only the rounding of "due" is allowed for.
            Assert.True(started >= due.AddSeconds(-0.1), $"the node's run of {id} started at {started:HH:mm:ss.fff}, before its time {due:HH:mm:ss.fff}");
            Assert.Equal(["late"], TaskApi.Lines(await NodeConsoleAsync(id, "only", node)));
        }
    }

    [Fact]
    public async Task Pause_OfARunningFanOut_HoldsItsNodesNextStep_UntilResumed()
    {
        var node = await NodeAsync(Api);
        var id = Ids.New("fanpause");
        var gate = Gate(id);
        await SubmitAsync(FanOut(id, Steps.Array(Steps.Of(WaitFor(gate), name: "first"), Steps.Of("echo second", name: "second", dependsOn: ["first"]))));
        await Poll.UntilAsync(async () => (await NodeDetailAsync(id, node)) is { Status: HttpStatusCode.OK } d && State(d.Step("first")) == 1, Poll.Short, $"step first of {id} never ran on {node}");

        var pause = await ControlAsync(id, "action=pause");
        Assert.True(pause.Status == HttpStatusCode.OK && pause.Code == 0, $"pause: {pause}");
        Assert.Contains("on 1 running node", pause.Message, StringComparison.Ordinal);
        var paused = await Api.DetailAsync(id);
        Assert.True(paused.Header("X-Task-STATE") == "Paused" && paused.Code == 1005, $"paused fan-out: {paused}");
        Assert.Equal(3, TaskApi.ListedTasks(await Api.ListAsync())[id].GetProperty("state").GetInt32());
        Assert.Equal("Paused", (await NodeDetailAsync(id, node)).Header("X-Task-STATE"));

        await File.WriteAllTextAsync(gate, "");
        await Poll.UntilAsync(async () => State((await NodeDetailAsync(id, node)).Step("first")) == 0, Poll.Short, $"step first of {id} never finished");
        await HoldsForAWhileAsync(
            id,
            d => d.Header("X-Task-STATE") == "Paused" && State(d.Step("second")) == 2,
            "the node's next step started while the fan-out was paused");

        var resume = await ControlAsync(id, "action=resume");
        Assert.True(resume.Status == HttpStatusCode.OK && resume.Code == 0, $"resume: {resume}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.True(done.Code == 0 && done.Header("X-Task-STATE") == "Stop", $"resumed fan-out: {done}");
        Assert.Equal(["second"], TaskApi.Lines(await NodeConsoleAsync(id, "second", node)));
    }

    [Fact]
    public async Task Pause_OfADelayedFanOut_StartsNoNode_UntilResumed()
    {
        var node = await NodeAsync(Api);
        var id = Ids.New("fanholddelay");
        var body = FanOut(id, Steps.Array(Steps.Of("echo ran", name: "only")));
        body["delay"] = "2s";
        var due = DateTimeOffset.UtcNow.AddSeconds(2);
        await SubmitAsync(body);
        var pause = await ControlAsync(id, "action=pause");
        Assert.True(pause.Status == HttpStatusCode.OK && pause.Code == 0, $"pause: {pause}");

        await HoldsForAWhileAsync(
            id,
            d => d.Header("X-Task-STATE") == "Paused" && State(Run(d, node)) == 2,
            "a node started while the fan-out was paused",
            until: due.AddSeconds(1.5));
        Assert.False(Directory.Exists(RunWorkspace(id, node)), "the paused fan-out's node got its run");

        var resume = await ControlAsync(id, "action=resume");
        Assert.True(resume.Status == HttpStatusCode.OK && resume.Code == 0, $"resume: {resume}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.True(done.Code == 0, $"resumed fan-out: {done}");
        Assert.Equal(["ran"], TaskApi.Lines(await NodeConsoleAsync(id, "only", node)));
    }

    [Fact]
    public async Task PauseStep_OfAFanOutBeforeItsNodeStarts_HoldsThatStepOnTheNode_UntilResumed()
    {
        var node = await NodeAsync(Api);
        var id = Ids.New("fanholdstep");
        var body = FanOut(id, Steps.Array(Steps.Of("echo a", name: "a"), Steps.Of("echo b", name: "b", dependsOn: ["a"])));
        body["delay"] = "1s";
        await SubmitAsync(body);
        var pause = await ControlAsync(id, "action=pause", "b");
        Assert.True(pause.Status == HttpStatusCode.OK && pause.Code == 0, $"pause of step b: {pause}");

        // The node starts after the pause: its run holds b all the same.
        await Poll.UntilAsync(
            async () => (await NodeDetailAsync(id, node)) is { Status: HttpStatusCode.OK } d && State(d.Step("a")) == 0,
            Poll.Short,
            $"step a of {id} never ran on {node}");
        var until = DateTimeOffset.UtcNow + Watch;
        while (DateTimeOffset.UtcNow < until)
        {
            var own = await NodeDetailAsync(id, node);
            Assert.True(State(own.Step("b")) == 3, $"step b ran on {node} although it was paused before the node started: {own}");
            await Task.Delay(Poll.Interval);
        }

        var resume = await ControlAsync(id, "action=resume", "b");
        Assert.True(resume.Status == HttpStatusCode.OK && resume.Code == 0, $"resume of step b: {resume}");
        var done = await Api.WaitForFinalAsync(id);
        Assert.True(done.Code == 0, $"fan-out after the resume of b: {done}");
        Assert.Equal(["b"], TaskApi.Lines(await NodeConsoleAsync(id, "b", node)));
    }

    [Fact]
    public async Task Restart_AfterSigkillWhileItsNodeRuns_FanOutFinishesWithItsRunsResult()
    {
        var marker = Durability.DurabilityKit.Marker(880_000);
        var node = await NodeAsync(Api);
        var id = Ids.New("fankilled");
        try
        {
            await SubmitAsync(FanOut(id, Steps.Array(Steps.Of(marker, name: "running"), Steps.Of("echo never", name: "later", dependsOn: ["running"]))));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started");

            await Server.RestartAsync(kill: true);

            var done = await Api.WaitForFinalAsync(id);
            Assert.Equal(1002, done.Code);
            var run = Run(done, node);
            var own = await NodeDetailAsync(id, node);
            Assert.True(own.Status == HttpStatusCode.OK && TaskApi.FinalStateNames.Contains(own.Header("X-Task-STATE")!), $"the node's run: {own}");
            Assert.Equal(-999, State(own.Step("running")));
            Assert.Equal(4, State(own.Step("later")));
            // The fan-out's run says what the node's run says.
            Assert.Equal("Stop", own.Header("X-Task-STATE"));
            Assert.Equal(0, State(run));
            Assert.Equal(own.Message, run.GetProperty("msg").GetString());
            Assert.Equal(-999, State(done.Step("running")));
            Assert.Contains(node, done.Message, StringComparison.Ordinal);
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task Restart_AfterSigkillWhileDelayed_FanOutStillStartsAndSucceeds()
    {
        var node = await NodeAsync(Api);
        var id = Ids.New("fandelayrestart");
        var body = FanOut(id, Steps.Array(Steps.Of("echo $TASK_ID", name: "only")));
        body["delay"] = "4s";
        await SubmitAsync(body);

        await Server.RestartAsync(kill: true);

        var done = await Api.WaitForFinalAsync(id);
        Assert.True(done.Code == 0, $"delayed fan-out after the restart: {done}");
        Assert.Equal(0, State(Run(done, node)));
        Assert.Equal([id], TaskApi.Lines(await NodeConsoleAsync(id, "only", node)));
    }
}
