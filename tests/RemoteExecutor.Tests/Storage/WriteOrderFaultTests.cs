using System.Net;
using Microsoft.Data.Sqlite;
using RemoteExecutor.Tests.EndToEnd;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Storage;

/// <summary>Server whose finished tasks expire after 6 s.</summary>
public sealed class WriteOrderServerFixture : ServerFixture
{
    protected override string[] Args => ["--key_expire=6s"];
}

/// <summary>
/// Issue 11, writes that cannot strand: one write of one task is made to fail at the exact point (a SQLite trigger
/// that aborts that statement for that task only), and what the user sees afterwards is never a contradiction.
/// </summary>
public sealed class WriteOrderFaultTests : IClassFixture<WriteOrderServerFixture>
{
    private readonly ServerProcess _server;

    public WriteOrderFaultTests(WriteOrderServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task Submit_SummaryRowUnwritable_Is500_NeverRunsLater_AndIsAudited()
    {
        var id = Ids.New("nosummary");
        var refused = await WithFaultAsync($"BEFORE INSERT ON task_summary WHEN NEW.id = '{id}'",
            () => _server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo must-not-run", name: "s")), $"id={id}"));
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);

        // Storage is back: a read must not find (and so start) the refused task.
        var detail = await _server.Api.DetailAsync(id);
        Assert.True(detail.Status == HttpStatusCode.NotFound, $"the refused task {id} exists: {detail}");
        Assert.Equal(0, TaskRows.Count(_server.Root, id).Values.Sum());
        Assert.StartsWith("500", await AuditOutcomeAsync(id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_DeadlineReminderUnwritable_Is500_AndNoPendingTaskIsLeft()
    {
        var id = Ids.New("noreminder");
        var refused = await WithFaultAsync($"BEFORE INSERT ON OrleansRemindersTable WHEN instr(NEW.GrainId, '{id}') > 0",
            () => _server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo must-not-run", name: "s")), $"id={id}&timeout=1h"));
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);

        var detail = await _server.Api.DetailAsync(id);
        Assert.True(detail.Status == HttpStatusCode.NotFound, $"the refused task {id} is left behind: {detail}");
        Assert.False(TaskApi.ListedTasks(await _server.Api.ListAsync()).ContainsKey(id), $"the refused task {id} is listed");
    }

    [Fact]
    public async Task Resubmit_NewRunNotStored_KeepsTheOldRunAndItsConsole()
    {
        var id = Ids.New("keepold");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("echo old-run", name: "s")));

        var refused = await WithFaultAsync($"BEFORE UPDATE ON OrleansStorage WHEN OLD.GrainIdExtensionString = 't:{id}'",
            () => _server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo new-run", name: "s")), $"id={id}"));
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);

        var detail = await _server.Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);
        Assert.Equal(["old-run"], TaskApi.Lines(await _server.Api.ConsoleAsync(id, "s")));
    }

    [Fact]
    public async Task Expire_StateDeleteFails_IsRetriedUntilNothingOfTheTaskIsLeft()
    {
        var id = Ids.New("expirefault");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("echo bye", name: "s")));
        var failures = _server.LogCount("Expiry sweep of node");

        using (Fault($"BEFORE DELETE ON OrleansStorage WHEN OLD.GrainIdExtensionString = 't:{id}'"))
        {
            await Poll.UntilAsync(() => _server.LogCount("Expiry sweep of node") > failures, ExpiryTests.ExpiryDeadline, "the expiry of the task never met the fault");
        }

        await Poll.UntilAsync(
            () => TaskRows.Count(_server.Root, id).Values.All(c => c == 0),
            ExpiryTests.ExpiryDeadline,
            $"rows of {id} are left after a failed expiry: {TaskRows.Describe(TaskRows.Count(_server.Root, id))}");
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Api.DetailAsync(id)).Status);
    }

    [Fact]
    public async Task ConsoleStoreFailing_StepThatExited0_StaysSuccessful()
    {
        var id = Ids.New("noconsole");
        ApiAnswer detail;
        using (Fault($"BEFORE INSERT ON console_line WHEN NEW.task = '{id}'"))
        {
            detail = await _server.Api.RunAsync(id, Steps.Array(Steps.Of("echo lost-line; exit 0", name: "s"), Steps.Of("echo second", name: "t")));
        }

        // The lines are gone, the truth about the steps is not: both ran and succeeded.
        Assert.Equal(0, detail.Code);
        foreach (var step in detail.Data.EnumerateArray())
        {
            Assert.Equal(0, step.GetProperty("state").GetInt32());
            Assert.Equal(0, step.GetProperty("code").GetInt32());
            Assert.Contains("console incomplete", step.GetProperty("msg").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Submit_RefusedByAuthentication_IsAudited()
    {
        var id = Ids.New("noauth");
        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        using var refused = await anonymous.PostAsync(new Uri($"/api/v1/task?id={id}", UriKind.Relative), new StringContent("[]", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("401: refused", await AuditOutcomeAsync(id));
    }

    private async Task<ApiAnswer> WithFaultAsync(string trigger, Func<Task<ApiAnswer>> action)
    {
        using (Fault(trigger))
        {
            return await action();
        }
    }

    /// <summary>Makes the statements <paramref name="trigger"/> describes fail until disposed.</summary>
    private Removal Fault(string trigger)
    {
        var name = "fault_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE TRIGGER {name} {trigger} BEGIN SELECT RAISE(ABORT, 'injected storage fault'); END");
        return new Removal(() => Execute($"DROP TRIGGER IF EXISTS {name}"));
    }

    private void Execute(string sql)
    {
        using var connection = TaskRows.Open(_server.Root, SqliteOpenMode.ReadWrite);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private async Task<string?> AuditOutcomeAsync(string id)
    {
        var page = await _server.Api.GetAsync("/api/v1/audit?size=1000");
        return page.Data.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("task").GetString() == id)
            .Select(e => e.GetProperty("outcome").GetString())
            .FirstOrDefault();
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
