using System.Diagnostics;
using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Durability: what a restarted server (same root) still knows.</summary>
public sealed class RestartTests
{
    private static readonly TimeSpan ExpiryAfterRestartDeadline = TimeSpan.FromSeconds(150);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Restart_FinishedTask_DetailConsoleAndListAreIntact(bool sigkill)
    {
        await using var server = await ServerProcess.StartAsync();
        var id = Ids.New(sigkill ? "sigkill" : "sigterm");
        var before = await server.Api.RunAsync(id, Steps.Array(
            Steps.Of("seq 3; echo to-stderr >&2", name: "first"),
            Steps.Of("echo broken; exit 6", name: "second"),
            Steps.Of("echo never", name: "third")));
        var consoleBefore = TaskApi.Lines(await server.Api.ConsoleAsync(id, "first"));
        Assert.Equal(["1", "2", "3", "to-stderr"], consoleBefore);

        await server.RestartAsync(kill: sigkill);

        var after = await server.Api.DetailAsync(id);
        Assert.Equal(HttpStatusCode.OK, after.Status);
        Assert.Equal(before.Code, after.Code);
        Assert.Equal(1002, after.Code);
        Assert.Equal("Stop", after.Header("X-Task-STATE"));
        Assert.Equal(before.Message, after.Message);
        foreach (var step in new[] { "first", "second", "third" })
        {
            foreach (var field in new[] { "state", "code", "msg", "command_content" })
            {
                Assert.Equal(before.Step(step).GetProperty(field).ToString(), after.Step(step).GetProperty(field).ToString());
            }

            Assert.Equal(before.Step(step).GetProperty("times").ToString(), after.Step(step).GetProperty("times").ToString());
        }

        Assert.Equal(consoleBefore, TaskApi.Lines(await server.Api.ConsoleAsync(id, "first")));
        var second = await server.Api.ConsoleAsync(id, "second");
        Assert.Equal(1002, second.Code);
        Assert.Equal("exit code: 6", second.Message);
        Assert.Equal(["broken"], TaskApi.Lines(second));

        var listed = TaskApi.ListedTasks(await server.Api.ListAsync())[id];
        Assert.Equal(6, listed.GetProperty("code").GetInt32());
        Assert.Equal(0, listed.GetProperty("state").GetInt32());

        // The restarted server still runs new work.
        var fresh = await server.Api.RunAsync(Ids.New("afterrestart"), Steps.Array(Steps.Of("echo alive")));
        Assert.Equal(0, fresh.Code);
    }

    [Fact]
    public async Task Restart_WithKeyExpire_FinishedTaskStillExpiresAfterTheRestart()
    {
        string[] args = ["--key_expire=20s"];
        await using var server = await ServerProcess.StartAsync(args, tokenFromFile: true);
        var token = server.Token;
        Assert.False(string.IsNullOrEmpty(token));
        var id = Ids.New("expirerestart");
        var workspace = Path.Combine(server.Root, "workspace", id);
        var finished = await server.Api.RunAsync(id, Steps.Array(Steps.Of("echo keep > file.txt", name: "only")));
        Assert.Equal(0, finished.Code);
        var clock = Stopwatch.StartNew();

        await server.RestartAsync(kill: false);
        Assert.Equal(token, server.Token);
        var after = await server.Api.DetailAsync(id);
        if (clock.Elapsed < TimeSpan.FromSeconds(18))
        {
            Assert.Equal(HttpStatusCode.OK, after.Status);
        }

        await Poll.UntilAsync(
            async () => (await server.Api.DetailAsync(id)).Status == HttpStatusCode.NotFound,
            ExpiryAfterRestartDeadline,
            $"task {id} did not expire after the restart (key_expire 20s)");
        Assert.DoesNotContain(id, TaskApi.ListedTasks(await server.Api.ListAsync()).Keys);
        await Poll.UntilAsync(() => !Directory.Exists(workspace), Poll.Short, $"workspace {workspace} still on disk after expiry");
    }

    [Fact]
    public async Task Restart_AfterSigkillWhileRunning_LostStepBecomesSystemErrorAndTheRestIsSkipped()
    {
        var seconds = 800_000 + Random.Shared.Next(99_999);
        var marker = $"sleep {seconds}";
        await using var server = await ServerProcess.StartAsync();
        try
        {
            var id = Ids.New("lost");
            await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of(marker, name: "running"), Steps.Of("echo never", name: "later")));
            await server.Api.WaitForStepRunningAsync(id, "running");

            await server.RestartAsync(kill: true);

            var detail = await server.Api.WaitForFinalAsync(id);
            Assert.Equal(-999, detail.Step("running").GetProperty("state").GetInt32());
            Assert.NotEqual("", detail.Step("running").GetProperty("msg").GetString());
            Assert.Equal(4, detail.Step("later").GetProperty("state").GetInt32());
            Assert.Equal(1002, detail.Code);
            Assert.DoesNotContain("system error: system error", detail.Message, StringComparison.Ordinal);
        }
        finally
        {
            // The SIGKILLed server could not stop its step: end that process ourselves, by pid.
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task Stop_WhileRunning_KillsTheStepProcessesAndRecordsThemKilled()
    {
        var seconds = 600_000 + Random.Shared.Next(99_999);
        var marker = $"sleep {seconds}";
        await using var server = await ServerProcess.StartAsync();
        try
        {
            var id = Ids.New("sigterm");
            await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of($"{marker} & wait", name: "running"), Steps.Of("echo never", name: "later")));
            await server.Api.WaitForStepRunningAsync(id, "running");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started");

            var clock = Stopwatch.StartNew();
            await server.StopAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"SIGTERM took {clock.Elapsed.TotalSeconds:0.0} s");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, TimeSpan.FromSeconds(10), $"'{marker}' outlived the server's graceful stop");

            await server.RestartAsync(kill: false);
            var detail = await server.Api.WaitForFinalAsync(id);
            Assert.Equal(-255, detail.Step("running").GetProperty("state").GetInt32());
            Assert.Equal(4, detail.Step("later").GetProperty("state").GetInt32());
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task Stop_WithNormal_WaitsForTheRunningStepToFinish()
    {
        await using var server = await ServerProcess.StartAsync(["--normal"]);
        var id = Ids.New("normal");
        await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of("sleep 2; echo finished-normally", name: "work")));
        await server.Api.WaitForStepRunningAsync(id, "work");

        Assert.Equal(0, await server.StopAsync());
        await server.RestartAsync(kill: false);

        var detail = await server.Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);
        Assert.Equal(0, detail.Step("work").GetProperty("state").GetInt32());
        Assert.Equal(["finished-normally"], TaskApi.Lines(await server.Api.ConsoleAsync(id, "work")));
    }

    [Fact]
    public async Task Restart_AfterSigkillWhileRunning_LeavesNoOrphanedStepProcess()
    {
        // The restarted server reports the step as lost (-999); its process must not keep running unseen.
        var seconds = 300_000 + Random.Shared.Next(99_999);
        var marker = $"sleep {seconds}";
        await using var server = await ServerProcess.StartAsync();
        try
        {
            var id = Ids.New("orphan");
            await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of(marker, name: "running")), "timeout=1h");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' never started");

            await server.RestartAsync(kill: true);
            var detail = await server.Api.WaitForFinalAsync(id);
            Assert.Equal(-999, detail.Step("running").GetProperty("state").GetInt32());
            await Poll.UntilAsync(
                async () => await HostProcesses.CountAsync(marker) == 0,
                TimeSpan.FromSeconds(20),
                $"'{marker}' of step {id}/running still runs after the restarted server declared it lost (-999)");
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }
}
