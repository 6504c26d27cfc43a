using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Less common but real situations: secrets, stubborn processes, odd output, many tasks at once, CJK names.</summary>
[Collection(ExecServerCollection.Name)]
public sealed class EdgeCaseTests
{
    private readonly ServerProcess _server;

    public EdgeCaseTests(ExecServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    [Fact]
    public async Task SecretEnv_ProcessGetsTheValueButReadersSeeItMasked()
    {
        var id = Ids.New("secret");
        const string Secret = "hunter2-Zq8xv";
        var task = new JsonObject
        {
            ["id"] = id,
            ["env_vars"] = Steps.Strings($"SECRET:API_KEY={Secret}", "PLAIN=visible"),
            ["step"] = Steps.Array(Steps.Of("echo \"len=${#API_KEY}\"; echo \"key=$API_KEY\"; echo \"plain=$PLAIN\"", name: "use",
                env: [$"SECRET:STEP_KEY={Secret}x"])),
        };
        Assert.Equal(0, (await Api.SubmitV2Async(task)).Code);
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);

        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "use"));
        Assert.Equal($"len={Secret.Length}", lines[0]);
        Assert.Equal("plain=visible", lines[2]);
        Assert.DoesNotContain(Secret, detail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, (await Api.ConsoleAsync(id, "use")).Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, (await Api.ListAsync()).Body, StringComparison.Ordinal);
        Assert.Equal(["STEP_KEY=***"], detail.Step("use").GetProperty("env_vars").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("API_KEY=***", TaskApi.ListedTasks(await Api.ListAsync())[id].GetProperty("env_vars").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task KillStep_PendingStep_IsKilledAndItsDependantsSkippedWhileTheRunningStepGoesOn()
    {
        var id = Ids.New("killpend");
        await Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of("sleep 1.5; echo first-done", name: "first"),
            Steps.Of("touch second-ran", name: "second"),
            Steps.Of("touch third-ran", name: "third")));
        await Api.WaitForStepRunningAsync(id, "first");

        var kill = await Api.KillStepAsync(id, "second");
        Assert.Equal(HttpStatusCode.OK, kill.Status);
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Step("first").GetProperty("state").GetInt32());
        Assert.Equal(-255, detail.Step("second").GetProperty("state").GetInt32());
        Assert.Equal(4, detail.Step("third").GetProperty("state").GetInt32());
        Assert.False(File.Exists(Path.Combine(_server.Root, "workspace", id, "second-ran")));
        Assert.Equal(["first-done"], TaskApi.Lines(await Api.ConsoleAsync(id, "first")));
    }

    [Fact]
    public async Task StepTimeout_ProcessIgnoringSigterm_IsStillStopped()
    {
        var seconds = 700_000 + Random.Shared.Next(99_999);
        var marker = $"sleep {seconds}";
        var id = Ids.New("stubborn");
        var clock = Stopwatch.StartNew();
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of($"trap '' TERM; echo ignoring; {marker}; echo survived", name: "stubborn", timeout: "1s")));
        clock.Stop();

        Assert.Equal(-256, detail.Step("stubborn").GetProperty("state").GetInt32());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"stopping took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.DoesNotContain("survived", TaskApi.Lines(await Api.ConsoleAsync(id, "stubborn")));
        await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 0, Poll.Short, $"'{marker}' outlived the timeout");
    }

    [Fact]
    public async Task Output_CrLfUnicodeAndNoFinalNewline_AreKeptAsLines()
    {
        var id = Ids.New("odd");
        await Api.RunAsync(id, Steps.Array(Steps.Of("printf 'dos\\r\\nline\\r\\n'; echo '你好, мир ✓'; printf '  indented\\ttab\\n'; printf 'no-newline'", name: "odd")));
        Assert.Equal(["dos", "line", "你好, мир ✓", "  indented\ttab", "no-newline"], TaskApi.Lines(await Api.ConsoleAsync(id, "odd")));
    }

    [Fact]
    public async Task CjkStepName_WorksThroughEveryRoute()
    {
        var id = Ids.New("cjk");
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("echo 构建完成", name: "构建-步骤")));
        Assert.Equal(0, detail.Code);
        var step = detail.Step("构建步骤");
        Assert.EndsWith($"/api/v1/task/{id}/{Uri.EscapeDataString("构建步骤")}/console", step.GetProperty("manager").GetString(), StringComparison.Ordinal);

        var console = await Api.ConsoleAsync(id, "构建步骤");
        Assert.Equal(HttpStatusCode.OK, console.Status);
        Assert.Equal(["构建完成"], TaskApi.Lines(console));
        var viaManager = await _server.Http.GetAsync(new Uri(step.GetProperty("manager").GetString()!));
        Assert.Equal(HttpStatusCode.OK, viaManager.StatusCode);
    }

    [Fact]
    public async Task ManyTasksAtOnce_AllFinishWithTheirOwnOutput()
    {
        const int Count = 25;
        var ids = Enumerable.Range(0, Count).Select(i => Ids.New($"many{i}x")).ToList();
        await Task.WhenAll(ids.Select(id => Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of("echo \"$TASK_ID\" > mine.txt", name: "write"),
            Steps.Of("cat mine.txt; seq 200 | wc -l", name: "read")))));

        var details = await Task.WhenAll(ids.Select(id => Api.WaitForFinalAsync(id, TimeSpan.FromSeconds(90))));
        Assert.All(details, d => Assert.Equal(0, d.Code));
        foreach (var id in ids)
        {
            Assert.Equal([id, "200"], TaskApi.Lines(await Api.ConsoleAsync(id, "read")));
        }
    }
}
