using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>Fan-out (<c>targets</c>): one task run on many nodes, under max_parallel and max_errors, killed, and across a node loss.</summary>
public sealed partial class ClusterTests
{
    private static JsonObject FanOut(string id, JsonObject targets, string script, string step = "work") => new()
    {
        ["id"] = id,
        ["targets"] = targets,
        ["step"] = Steps.Array(Steps.Of(script, name: step)),
    };

    private static Dictionary<string, JsonElement> Runs(ApiAnswer detail) =>
        detail.Json!.Value.GetProperty("runs").EnumerateArray().ToDictionary(r => r.GetProperty("node").GetString()!, r => r, StringComparer.Ordinal);

    private static async Task SubmitFanOutAsync(ServerProcess server, JsonObject task)
    {
        var submit = await server.Api.SubmitV2Async(task);
        Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"fan-out submit: {submit}");
    }

    [Fact]
    public async Task FanOutToAll_RunsOnEveryNode_EachNodesConsoleIsItsOwn_AndTheListShowsOneRow()
    {
        var nodes = (await B.Api.GetAsync("/api/v1/nodes")).Data.GetProperty("nodes").EnumerateArray()
            .ToDictionary(n => n.GetProperty("name").GetString()!, n => n.GetProperty("labels"));
        foreach (var name in ClusterFixture.Names)
        {
            Assert.Equal(ClusterFixture.RoleOf(name), nodes[name].GetProperty("role").GetString());
        }

        var id = Ids.New("fanall");
        await SubmitFanOutAsync(A, FanOut(id, new JsonObject { ["all"] = true }, "echo $TASK_NODE $TASK_ID"));

        var detail = await B.Api.WaitForFinalAsync(id, TaskDeadline);
        Assert.True(detail.Code == 0, $"fan-out detail: {detail}");
        var runs = Runs(detail);
        Assert.Equal(ClusterFixture.Names, runs.Keys.Order());
        Assert.All(runs.Values, r => Assert.Equal(0, State(r)));
        Assert.All(runs.Values, r => Assert.Equal(0, r.GetProperty("result").GetInt32()));
        Assert.Equal(ClusterFixture.Names, detail.Step("work").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetString()).Order());
        Assert.All(detail.Step("work").GetProperty("nodes").EnumerateArray(), n => Assert.Equal(0, State(n)));

        foreach (var name in ClusterFixture.Names)
        {
            var console = await C.Api.GetAsync($"/api/v1/task/{id}/work/console?node={name}");
            Assert.True(console.Code == 0 && TaskApi.Lines(console).SequenceEqual([$"{name} {id}"]), $"console of {id} on {name}: {console}");
            var own = await A.Api.GetAsync($"/api/v1/task/{id}?node={name}");
            Assert.True(own.Code == 0 && State(own.Step("work")) == 0, $"detail of {id} on {name}: {own}");
        }

        var unknown = await A.Api.GetAsync($"/api/v1/task/{id}/work/console?node=zz");
        Assert.True(unknown.Status == HttpStatusCode.NotFound && unknown.Code == 1003 && unknown.Message.Contains("zz", StringComparison.Ordinal), $"unknown node: {unknown}");

        var list = TaskApi.ListedTasks(await C.Api.ListAsync());
        Assert.Equal(3, list[id].GetProperty("nodes").GetInt32());
        Assert.Equal(1, list[id].GetProperty("count").GetInt32());
        Assert.DoesNotContain(list.Keys, k => k.Contains('@', StringComparison.Ordinal));
    }

    [Fact]
    public async Task FanOutByLabel_RunsOnTheTwoMatchingNodesOnly_AndAnEmptySelectionIsRefused()
    {
        var id = Ids.New("fanweb");
        var targets = Uri.EscapeDataString("{\"labels\":{\"role\":\"web\"}}");
        var submit = await C.Api.SubmitV1Async(Steps.Array(Steps.Of("echo $TASK_NODE > where.txt", name: "work")), $"id={id}&targets={targets}");
        Assert.True(submit.Code == 0, $"v1 fan-out submit: {submit}");
        var detail = await C.Api.WaitForFinalAsync(id, TaskDeadline);
        Assert.True(detail.Code == 0, $"detail: {detail}");
        Assert.Equal(["a", "b"], Runs(detail).Keys.Order());
        Assert.False(Directory.Exists(Path.Combine(C.Root, "workspace", $"{id}@c")), "c ran a task whose targets exclude it");

        var none = await A.Api.SubmitV2Async(FanOut(Ids.New("fannone"), new JsonObject { ["labels"] = new JsonObject { ["role"] = "cache" } }, "true"));
        Assert.True(none.Status == HttpStatusCode.BadRequest && none.Code == 1000 && none.Message.Contains("targets.labels", StringComparison.Ordinal), $"empty selection: {none}");
    }

    [Fact]
    public async Task FanOutMaxParallelOne_NeverRunsTwoNodesAtOnce()
    {
        var id = Ids.New("fanserial");
        await SubmitFanOutAsync(B, FanOut(id, new JsonObject { ["all"] = true, ["max_parallel"] = 1 }, "sleep 0.3"));
        var detail = await A.Api.WaitForFinalAsync(id, TaskDeadline);
        Assert.True(detail.Code == 0, $"detail: {detail}");
        var spans = Runs(detail).Values
            .Select(r => (Start: DateTimeOffset.Parse(r.GetProperty("start_time").GetString()!, CultureInfo.InvariantCulture),
                End: DateTimeOffset.Parse(r.GetProperty("end_time").GetString()!, CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Start).ToList();
        Assert.Equal(3, spans.Count);
        for (var i = 1; i < spans.Count; i++)
        {
            Assert.True(spans[i].Start >= spans[i - 1].End, $"two nodes ran at once: {detail.Json!.Value.GetProperty("runs")}");
        }
    }

    [Fact]
    public async Task FanOutMaxErrorsZero_AFailureOnTheFirstNode_SkipsTheRest_AndFailsTheTask()
    {
        var id = Ids.New("fanfail");
        await SubmitFanOutAsync(A, FanOut(id, new JsonObject { ["nodes"] = new JsonArray("a", "b", "c"), ["max_parallel"] = 1, ["max_errors"] = 0 }, "exit 3"));
        var detail = await C.Api.WaitForFinalAsync(id, TaskDeadline);
        Assert.Equal(1002, detail.Code);
        var runs = Runs(detail);
        Assert.Equal(0, State(runs["a"]));
        Assert.Equal(3, runs["a"].GetProperty("code").GetInt32());
        Assert.All(new[] { "b", "c" }, n => Assert.Equal(4, State(runs[n])));
        Assert.Contains("max_errors 0", Msg(runs["b"]), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(B.Root, "workspace", $"{id}@b")), "b ran although the error budget was spent");
    }

    [Fact]
    public async Task FanOutKilled_EndsTheProcessOnEveryNode()
    {
        var marker = Marker(760_000);
        try
        {
            var id = Ids.New("fankill");
            await SubmitFanOutAsync(A, FanOut(id, new JsonObject { ["all"] = true }, $"echo started; {marker}"));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 3, Poll.Short, $"'{marker}' did not start on all three nodes");

            var kill = await B.Api.KillTaskAsync(id);
            Assert.True(kill.Status == HttpStatusCode.OK && kill.Code == 0, $"kill: {kill}");
            var detail = await C.Api.WaitForFinalAsync(id, TaskDeadline);
            Assert.Equal("Killed", detail.Header("X-Task-STATE"));
            Assert.All(Runs(detail).Values, r => Assert.Equal(-255, State(r)));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, TimeSpan.FromSeconds(15), $"'{marker}' still runs on a node after the fan-out was killed");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task FanOutNodeKilledMidRun_ItsRunEndsMinus999_AndTheTaskStillFinishes()
    {
        var marker = Marker(770_000);
        try
        {
            var id = Ids.New("fanlost");
            await SubmitFanOutAsync(A, FanOut(id, new JsonObject { ["all"] = true }, $"if [ \"$TASK_NODE\" = b ]; then {marker}; else echo done; fi"));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started on b");
            await B.KillAsync();

            var detail = await A.Api.WaitForFinalAsync(id, NodeLossDeadline);
            var runs = Runs(detail);
            Assert.Equal(-999, State(runs["b"]));
            Assert.Contains("node b lost", Msg(runs["b"]), StringComparison.Ordinal);
            Assert.Equal(0, State(runs["a"]));
            Assert.Equal(0, State(runs["c"]));
            Assert.Equal([1002, 0, 0], new[] { "b", "a", "c" }.Select(n => runs[n].GetProperty("result").GetInt32()));
            Assert.Equal(1002, detail.Code);
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }}
