using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;
using Xunit.Abstractions;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>
/// Three silos on PostgreSQL: placement by <c>node=</c>, every node answers for every task, remote kill and pool
/// resize, unknown nodes refused, and a node lost mid-task (its steps -999, others unaffected, rejoin works).
/// Each test first makes sure all three nodes are up, so they do not depend on their order.
/// </summary>
public sealed partial class ClusterTests : IClassFixture<ClusterFixture>, IAsyncLifetime
{
    /// <summary>Orleans failure detection plus the resolution of the lost node's tasks (the issue allows 60 s more).</summary>
    private static readonly TimeSpan NodeLossDeadline = TimeSpan.FromSeconds(150);

    private static readonly TimeSpan TaskDeadline = TimeSpan.FromSeconds(60);

    private readonly ClusterFixture _cluster;
    private readonly ITestOutputHelper _output;

    public ClusterTests(ClusterFixture cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private ServerProcess A => _cluster.A;

    private ServerProcess B => _cluster.B;

    private ServerProcess C => _cluster.C;

    public Task InitializeAsync() => _cluster.EnsureHealthyAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SubmitToA_WithNodeB_RunsOnB_AndEveryNodeAnswersForIt()
    {
        var id = Ids.New("onb");
        var submit = await A.Api.SubmitV1Async(Steps.Array(Steps.Of("echo $TASK_NODE; echo made > made.txt", name: "where")), $"id={id}&node=b");
        Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"submit to a with node=b: {submit}");

        var detail = await C.Api.WaitForFinalAsync(id, TaskDeadline);
        Assert.Equal(0, detail.Code);
        Assert.Equal(0, State(detail.Step("where")));
        foreach (var server in _cluster.All)
        {
            var console = await server.Api.ConsoleAsync(id, "where");
            Assert.True(console.Code == 0 && TaskApi.Lines(console).SequenceEqual(["b"]), $"console of {id} read from {server.BaseAddress}: {console}");
            var seen = await server.Api.DetailAsync(id);
            Assert.Equal(detail.Step("where").GetProperty("times").ToString(), seen.Step("where").GetProperty("times").ToString());
        }

        var listed = await ClusterFixture.ListedAsync(C, id) ?? throw new InvalidOperationException($"{id} not listed on c");
        Assert.Equal("b", listed.GetProperty("node").GetString());
        Assert.True(File.Exists(Path.Combine(B.Root, "workspace", id, "made.txt")), "the workspace is not on b");
        Assert.False(Directory.Exists(Path.Combine(A.Root, "workspace", id)), "a workspace appeared on a");
        Assert.False(Directory.Exists(Path.Combine(C.Root, "workspace", id)), "a workspace appeared on c");

        // v2 names the node in the body.
        var id2 = Ids.New("ona");
        var v2 = await C.Api.SubmitV2Async(new JsonObject { ["id"] = id2, ["node"] = "a", ["step"] = Steps.Array(Steps.Of("echo $TASK_NODE", name: "where")) });
        Assert.True(v2.Status == HttpStatusCode.OK && v2.Code == 0, $"v2 submit to c with node a: {v2}");
        Assert.Equal(0, (await B.Api.WaitForFinalAsync(id2, TaskDeadline)).Code);
        Assert.Equal(["a"], TaskApi.Lines(await B.Api.ConsoleAsync(id2, "where")));
        Assert.True(Directory.Exists(Path.Combine(A.Root, "workspace", id2)));
        Assert.False(Directory.Exists(Path.Combine(C.Root, "workspace", id2)));
    }

    [Fact]
    public async Task KillFromC_ARunningTaskOnB_EndsItAndItsProcess()
    {
        var marker = Marker(740_000);
        try
        {
            var id = Ids.New("killonb");
            var submit = await A.Api.SubmitV1Async(Steps.Array(Steps.Of($"echo started; {marker}", name: "long"), Steps.Of("echo never", name: "after")), $"id={id}&node=b");
            Assert.True(submit.Code == 0, $"submit: {submit}");
            await C.Api.WaitForStepRunningAsync(id, "long");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started on b");

            var kill = await C.Api.KillTaskAsync(id);
            Assert.True(kill.Status == HttpStatusCode.OK && kill.Code == 0, $"kill from c: {kill}");
            var detail = await C.Api.WaitForFinalAsync(id, TaskDeadline);
            Assert.Equal("Killed", detail.Header("X-Task-STATE"));
            Assert.Equal(-255, State(detail.Step("long")));
            Assert.Equal(4, State(detail.Step("after")));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, TimeSpan.FromSeconds(15), $"'{marker}' still runs after the kill from c");
            Assert.Equal(-255, State((await A.Api.DetailAsync(id)).Step("long")));
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task PoolResize_FromAForNodeB_IsWhatBShows()
    {
        var before = (await B.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32();
        var ownOfA = (await A.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32();
        var wanted = before + 7;
        try
        {
            var resize = await A.Api.SendAsync(HttpMethod.Post, "/api/v1/pool?node=b", $"{{\"size\":{wanted}}}");
            Assert.True(resize.Status == HttpStatusCode.OK && resize.Code == 0, $"resize from a: {resize}");
            Assert.Equal(wanted, resize.Data.GetProperty("size").GetInt32());

            Assert.Equal(wanted, (await B.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32());
            Assert.Equal(wanted, (await C.Api.GetAsync("/api/v1/pool?node=b")).Data.GetProperty("size").GetInt32());
            Assert.Equal(ownOfA, (await A.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32());
            var nodes = (await C.Api.GetAsync("/api/v1/nodes")).Data.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("name").GetString()!, n => n);
            Assert.Equal(wanted, nodes["b"].GetProperty("size").GetInt32());
        }
        finally
        {
            await A.Api.SendAsync(HttpMethod.Post, "/api/v1/pool?node=b", $"{{\"size\":{before}}}");
        }
    }

    [Fact]
    public async Task UnknownNode_IsRefusedWith400ListingTheKnownNodes()
    {
        var id = Ids.New("nowhere");
        var v1 = await A.Api.SubmitV1Async(Steps.Array(Steps.Of("echo x")), $"id={id}&node=zz");
        AssertRefusedNamingNodes(v1, "v1 submit node=zz");
        var v2 = await A.Api.SubmitV2Async(new JsonObject { ["id"] = id, ["node"] = "zz", ["step"] = Steps.Array(Steps.Of("echo x")) });
        AssertRefusedNamingNodes(v2, "v2 submit node zz");
        AssertRefusedNamingNodes(await A.Api.GetAsync("/api/v1/pool?node=zz"), "GET pool node=zz");
        AssertRefusedNamingNodes(await A.Api.SendAsync(HttpMethod.Post, "/api/v1/pool?node=zz", "{\"size\":3}"), "POST pool node=zz");
        foreach (var server in _cluster.All)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await server.Api.DetailAsync(id)).Status);
        }
    }

    [Fact]
    public async Task NodeBKilled_ItsRunningStepIsLostAndDependantSkipped_OtherNodesUnaffected_AndBRejoins()
    {
        var marker = Marker(750_000);
        await using var receiver = new HookReceiver("");
        receiver.Start();
        try
        {
            var lostId = Ids.New("lostonb");
            var submit = await A.Api.SubmitV1Async(Steps.Array(Steps.Of($"echo started; {marker}", name: "long"), Steps.Of("echo never", name: "after")),
                $"id={lostId}&node=b&hook={Uri.EscapeDataString(receiver.Url)}");
            Assert.True(submit.Code == 0, $"submit: {submit}");
            var survivorId = Ids.New("onc");
            await C.Api.SubmitOkAsync(survivorId, Steps.Array(Steps.Of("echo waiting; while [ ! -f gate ]; do sleep 0.2; done; echo c-finished", name: "work")));
            await A.Api.WaitForStepRunningAsync(lostId, "long");
            await C.Api.WaitForStepRunningAsync(survivorId, "work");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started on b");

            var clock = Stopwatch.StartNew();
            await B.KillAsync();

            // Nobody asks for the task: the list (read model) must show it final by itself.
            var listed = await Poll.UntilAsync(
                async () =>
                {
                    var task = await ClusterFixture.ListedAsync(A, lostId);
                    return (task is { } t && FinalTaskStates.Contains(t.GetProperty("state").GetInt32()), task?.ToString() ?? "(no answer)");
                },
                NodeLossDeadline,
                last => $"task {lostId} on the killed node b is not final within {NodeLossDeadline.TotalSeconds} s; last listed: {last}\n{A.ReadLog()}");
            _output.WriteLine($"lost task final in the list {clock.Elapsed.TotalSeconds:0.0} s after SIGKILL of b: {listed}");

            var detail = await A.Api.DetailAsync(lostId);
            Assert.Equal(HttpStatusCode.OK, detail.Status);
            var longStep = detail.Step("long");
            Assert.Equal(-999, State(longStep));
            Assert.Contains("node b lost", Msg(longStep), StringComparison.Ordinal);
            Assert.Equal(4, State(detail.Step("after")));
            Assert.Equal(["started"], TaskApi.Lines(await C.Api.ConsoleAsync(lostId, "long")));

            // The task on c ran on, untouched.
            var survivor = await C.Api.DetailAsync(survivorId);
            Assert.Equal(1, State(survivor.Step("work")));
            await File.WriteAllTextAsync(Path.Combine(C.Root, "workspace", survivorId, "gate"), "");
            var survived = await C.Api.WaitForFinalAsync(survivorId, TaskDeadline);
            Assert.Equal(0, survived.Code);
            Assert.Equal(0, State(survived.Step("work")));
            Assert.Equal(["waiting", "c-finished"], TaskApi.Lines(await A.Api.ConsoleAsync(survivorId, "work")));

            // b's webhook outbox does not wait for b: a survivor delivers the events of the lost task while b is down.
            await Poll.UntilAsync(() => receiver.Of(lostId).Any(e => e.Type == "task.finished"), NodeLossDeadline,
                $"the task.finished webhook of {lostId} was not delivered while b was down; got: {string.Join(", ", receiver.Of(lostId).Select(e => e.Type))}");
            Assert.Contains(receiver.Of(lostId), e => e.Type == "step.finished" && e.Step == "long");

            var orphans = await HostProcesses.CountAsync(marker);
            _output.WriteLine($"processes of b's lost step still alive after b was SIGKILLed: {orphans}");

            // b comes back under its name and root, rejoins, and runs work again.
            await _cluster.RestartAsync("b");
            await _cluster.WaitForAllNodesAsync();
            _output.WriteLine($"b rejoined {clock.Elapsed.TotalSeconds:0.0} s after its SIGKILL");
            var againId = Ids.New("backonb");
            var again = await A.Api.SubmitV1Async(Steps.Array(Steps.Of("echo $TASK_NODE", name: "where")), $"id={againId}&node=b");
            Assert.True(again.Code == 0, $"submit to the rejoined b: {again}");
            Assert.Equal(0, (await B.Api.WaitForFinalAsync(againId, TaskDeadline)).Code);
            Assert.Equal(["b"], TaskApi.Lines(await B.Api.ConsoleAsync(againId, "where")));
            var local = await B.Api.RunAsync(Ids.New("localonb"), Steps.Array(Steps.Of("echo $TASK_NODE", name: "where")), deadline: TaskDeadline);
            Assert.Equal(0, local.Code);

            // The lost task stays as it was resolved.
            var lostAfter = await B.Api.DetailAsync(lostId);
            Assert.Equal(-999, State(lostAfter.Step("long")));
            Assert.Equal(4, State(lostAfter.Step("after")));

            // b is back on its root: the process of its lost step, which no node will ever report again, is gone.
            await Poll.UntilAsync(
                async () => await HostProcesses.CountAsync(marker) == 0,
                TimeSpan.FromSeconds(20),
                $"'{marker}' of b's lost step {lostId}/long still runs after b restarted on its root: orphaned step process");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    private static void AssertRefusedNamingNodes(ApiAnswer answer, string what)
    {
        Assert.True(answer.Status == HttpStatusCode.BadRequest && answer.Code == 1000, $"{what}: {answer}");
        Assert.Contains("zz", answer.Message, StringComparison.Ordinal);
        const string Known = "known nodes:";
        var at = answer.Message.IndexOf(Known, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{what}: the message does not list the known nodes: {answer.Message}");
        var names = answer.Message[(at + Known.Length)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal);
        Assert.Equal(ClusterFixture.Names, names);
    }
}
