using System.Net;
using RemoteExecutor.Tests.EndToEnd;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Storage;

/// <summary>Server whose finished tasks expire after 3 s and whose audit entries expire after 10 s.</summary>
public sealed class BoundedStorageServerFixture : ServerFixture
{
    protected override string[] Args => ["--key_expire=3s", "--audit_expire=10s"];
}

/// <summary>Issue 11, bounded storage: an expired task leaves no row anywhere; old audit entries go.</summary>
public sealed class BoundedStorageTests : IClassFixture<BoundedStorageServerFixture>
{
    private readonly ServerProcess _server;

    public BoundedStorageTests(BoundedStorageServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task Expiry_FinishedTask_LeavesNoRowOfItInAnyTable()
    {
        var id = Ids.New("rows");
        var detail = await _server.Api.RunAsync(id, Steps.Array(
            Steps.Of("echo first", name: "a"),
            Steps.Of("echo second", name: "b")), "timeout=1h");
        Assert.Equal(0, detail.Code);

        var before = TaskRows.Count(_server.Root, id);
        foreach (var table in new[] { "OrleansStorage", "task_summary", "console_line" })
        {
            Assert.True(before.GetValueOrDefault(table) > 0, $"the finished task has no row in {table} to expire: {TaskRows.Describe(before)}");
        }

        await Poll.UntilAsync(
            async () => (await _server.Api.DetailAsync(id)).Status == HttpStatusCode.NotFound,
            ExpiryTests.ExpiryDeadline,
            $"task {id} did not expire");
        await Poll.UntilAsync(
            () => TaskRows.Count(_server.Root, id).Values.All(c => c == 0),
            Poll.Short,
            $"rows of the expired task {id} are left: {TaskRows.Describe(TaskRows.Count(_server.Root, id))}");
    }

    [Fact]
    public async Task Expiry_FinishedFanOut_RemovesItsNodesRuns_RowsConsoleAndWorkspace_AndTheListNeverShowsThem()
    {
        var node = await FanOutTests.NodeAsync(_server.Api);
        var id = Ids.New("fanrows");
        var runId = $"{id}@{node}";
        var gate = Path.Combine(_server.Root, "gate-" + id);
        var submit = await _server.Api.SubmitV2Async(FanOutTests.FanOut(id, Steps.Array(
            Steps.Of($"echo $TASK_NODE > note.txt; while [ ! -e '{gate}' ]; do sleep 0.1; done; echo on-$TASK_NODE", name: "work"))));
        Assert.True(submit.Code == 0, $"fan-out submit: {submit}");

        // Running, then finished: the list has the fan-out's one row, never its node's run.
        await Poll.UntilAsync(() => File.Exists(Path.Combine(_server.Root, "workspace", runId, "note.txt")), Poll.Short, $"the run {runId} never started");
        var running = TaskApi.ListedTasks(await _server.Api.ListAsync());
        Assert.Equal(1, running[id].GetProperty("nodes").GetInt32());
        Assert.DoesNotContain(running.Keys, k => k.Contains('@', StringComparison.Ordinal));
        await File.WriteAllTextAsync(gate, "");
        var detail = await _server.Api.WaitForFinalAsync(id);
        Assert.True(detail.Code == 0, $"fan-out: {detail}");
        var console = await _server.Api.GetAsync($"/api/v1/task/{id}/work/console?node={node}");
        Assert.Equal([$"on-{node}"], TaskApi.Lines(console));
        var listed = TaskApi.ListedTasks(await _server.Api.ListAsync());
        Assert.True(listed.ContainsKey(id), $"fan-out {id} not listed");
        Assert.DoesNotContain(listed.Keys, k => k.Contains('@', StringComparison.Ordinal));
        var before = TaskRows.Count(_server.Root, runId);
        foreach (var table in new[] { "OrleansStorage", "task_summary", "console_line" })
        {
            Assert.True(before.GetValueOrDefault(table) > 0, $"the node's run has no row in {table} to expire: {TaskRows.Describe(before)}");
        }

        await Poll.UntilAsync(
            async () => (await _server.Api.DetailAsync(id)).Status == HttpStatusCode.NotFound,
            ExpiryTests.ExpiryDeadline,
            $"fan-out {id} did not expire");
        await Poll.UntilAsync(
            () => TaskRows.Count(_server.Root, id).Values.All(c => c == 0),
            Poll.Short,
            $"rows of the expired fan-out {id} or its run are left: {TaskRows.Describe(TaskRows.Count(_server.Root, id))}");
        var gone = await _server.Api.GetAsync($"/api/v1/task/{id}/work/console?node={node}");
        Assert.True(gone.Status == HttpStatusCode.NotFound && gone.Code == 1003, $"console of the expired run: {gone}");
        Assert.False(Directory.Exists(Path.Combine(_server.Root, "workspace", runId)), $"the workspace of the expired run {runId} is still on disk");
        Assert.DoesNotContain(TaskApi.ListedTasks(await _server.Api.ListAsync()).Keys, k => k.StartsWith(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuditExpire_OldEntries_AreDeletedBySweep()
    {
        var id = Ids.New("audited");
        var submit = await _server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo audited")), $"id={id}");
        Assert.Equal(HttpStatusCode.OK, submit.Status);
        Assert.True(await AuditedAsync(id), $"the submit of {id} is not in the audit log");

        await Poll.UntilAsync(async () => !await AuditedAsync(id), TimeSpan.FromSeconds(60), $"the audit entry of {id} outlived --audit_expire=10s");
    }

    private async Task<bool> AuditedAsync(string id)
    {
        var page = await _server.Api.GetAsync("/api/v1/audit?size=1000");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return page.Data.GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("task").GetString() == id);
    }
}
