using System.Net;
using RemoteExecutor.Tests.Harness;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>
/// A run on node b whose task and step grains were collected (2 s idle, no keep-alive: test-only) is read, killed
/// and timed out from the other nodes: the grains come back on b, the live process is never reported lost, a kill
/// ends it, and a deadline gives -256.
/// </summary>
public sealed class ClusterLongRunTests : IClassFixture<FastCollectionClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Deactivation = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan TaskDeadline = TimeSpan.FromSeconds(60);

    private readonly FastCollectionClusterFixture _cluster;

    public ClusterLongRunTests(FastCollectionClusterFixture cluster) => _cluster = cluster;

    private ServerProcess A => _cluster.A;

    private ServerProcess B => _cluster.B;

    private ServerProcess C => _cluster.C;

    public Task InitializeAsync() => _cluster.EnsureHealthyAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ReadAndKillFromA_ARunOnBWhoseGrainsWereDeactivated_SeesItRunningAndEndsIt()
    {
        var marker = Marker(770_000);
        try
        {
            var id = Ids.New("clkill");
            var submit = await C.Api.SubmitV1Async(Steps.Array(Steps.Of($"echo started; {marker}", name: "long"), Steps.Of("echo after", name: "after", dependsOn: ["long"])), $"id={id}&node=b");
            Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"submit: {submit}");
            var running = await B.Api.WaitForStepRunningAsync(id, "long");
            var startedAt = running.Step("long").GetProperty("times").GetProperty("st").GetString();
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started");
            await WaitDeactivatedOnBAsync($"Task {id} deactivated", $"b/{id}/long deactivated");

            // A read from a reactivates the task on b: the live step is running, with its real start time.
            var seen = await A.Api.DetailAsync(id);
            Assert.True(State(seen.Step("long")) == 1, $"the live step as a sees it after the deactivation: {seen}");
            Assert.Equal(startedAt, seen.Step("long").GetProperty("times").GetProperty("st").GetString());
            Assert.True(B.LogContains($"Task {id} recovering"), "the task did not recover on b");
            Assert.False(A.LogContains($"Task {id} recovering"), "the task recovered on a, not on its node");
            Assert.Equal(1, await HostProcesses.CountAsync(marker));

            await WaitDeactivatedOnBAsync($"Task {id} deactivated", $"Task {id} deactivated", occurrences: 2);
            var kill = await A.Api.KillTaskAsync(id);
            Assert.True(kill.Status == HttpStatusCode.OK && kill.Code == 0, $"kill from a: {kill}");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, Poll.Short, $"'{marker}' still runs after the kill from a");
            var detail = await C.Api.WaitForFinalAsync(id, TaskDeadline);
            Assert.Equal("Killed", detail.Header("X-Task-STATE"));
            Assert.Equal(-255, State(detail.Step("long")));
            Assert.Equal(4, State(detail.Step("after")));
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task TaskDeadline_OfARunOnBWhoseGrainsWereDeactivated_TimesItOutNotLost()
    {
        var marker = Marker(780_000);
        try
        {
            var id = Ids.New("cldl");
            var submit = await A.Api.SubmitV1Async(Steps.Array(Steps.Of(marker, name: "long")), $"id={id}&node=b&timeout=14s");
            Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"submit: {submit}");
            await C.Api.WaitForStepRunningAsync(id, "long");
            await WaitDeactivatedOnBAsync($"Task {id} deactivated", $"b/{id}/long deactivated");

            var listed = await Poll.UntilAsync(
                async () => (await ClusterFixture.ListedAsync(A, id) is { } t && FinalTaskStates.Contains(t.GetProperty("state").GetInt32()), await ClusterFixture.ListedAsync(A, id)),
                TaskDeadline,
                last => $"task {id} not final in a's list: {last}");
            Assert.Equal(-256, listed!.Value.GetProperty("state").GetInt32());
            Assert.Equal(-256, State((await C.Api.DetailAsync(id)).Step("long")));
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, Poll.Short, $"'{marker}' still runs after the deadline");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task MultiStepRunOnB_MiddleStepOutlivingItsGrains_FinishesByItselfInEveryList()
    {
        var id = Ids.New("clmid");
        var done = Path.Combine(B.Root, "release-" + id);
        var submit = await A.Api.SubmitV1Async(Steps.Array(
            Steps.Of("echo first", name: "first"),
            Steps.Of($"while [ ! -e '{done}' ]; do sleep 0.2; done", name: "middle", dependsOn: ["first"]),
            Steps.Of("echo $TASK_NODE", name: "last", dependsOn: ["middle"])), $"id={id}&node=b");
        Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"submit: {submit}");
        await A.Api.WaitForStepRunningAsync(id, "middle");
        await WaitDeactivatedOnBAsync($"Task {id} deactivated", $"b/{id}/middle deactivated");

        await File.WriteAllTextAsync(done, "");
        foreach (var server in _cluster.All)
        {
            var listed = await Poll.UntilAsync(
                async () => (await ClusterFixture.ListedAsync(server, id) is { } t && t.GetProperty("state").GetInt32() == 0, await ClusterFixture.ListedAsync(server, id)),
                TaskDeadline,
                last => $"task {id} not finished in the list of {server.BaseAddress}: {last}");
            Assert.Equal("all steps executed successfully", listed!.Value.GetProperty("msg").GetString());
        }

        Assert.Equal(["b"], TaskApi.Lines(await C.Api.ConsoleAsync(id, "last")));
    }

    private Task WaitDeactivatedOnBAsync(string first, string second, int occurrences = 1) =>
        Poll.UntilAsync(
            () => B.LogCount(first) >= occurrences && B.LogContains(second),
            Deactivation,
            $"no deactivation seen in b's log: '{first}' x{occurrences}, '{second}'");
}
