using System.Globalization;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>How steps run: order, parallelism, failures, environment, directories, output capture, interpreters.</summary>
[Collection(ExecServerCollection.Name)]
public sealed class ExecutionTests
{
    private readonly ServerProcess _server;

    public ExecutionTests(ExecServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    private string Workspace(string id) => Path.Combine(_server.Root, "workspace", id);

    private string ScriptDir(string id) => Path.Combine(_server.Root, "scripts", id);

    [Fact]
    public async Task Sequential_Steps_RunInArrayOrderSharingTheWorkspaceWhateverDependsOnSays()
    {
        var id = Ids.New("seq");
        var detail = await Api.RunAsync(id, Steps.Array(
            Steps.Of("sleep 0.5; echo one >> order.txt", name: "s1"),
            Steps.Of("echo two >> order.txt", name: "s2", dependsOn: ["s3"]),
            Steps.Of("echo three >> order.txt; cat order.txt", name: "s3")));

        Assert.Equal(0, detail.Code);
        Assert.Equal(["one", "two", "three"], TaskApi.Lines(await Api.ConsoleAsync(id, "s3")));
        Assert.Equal(["s1"], detail.Step("s2").GetProperty("depends_on").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["s2"], detail.Step("s3").GetProperty("depends_on").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("one\ntwo\nthree\n", await File.ReadAllTextAsync(Path.Combine(Workspace(id), "order.txt")));
    }

    [Fact]
    public async Task Async_IndependentSteps_RunInParallel()
    {
        var id = Ids.New("par");
        const string Timed = "date +%s.%N > $TASK_STEP_ID.start; sleep 1; date +%s.%N > $TASK_STEP_ID.end";
        var detail = await Api.RunAsync(id, Steps.Array(
            Steps.Of(Timed, name: "left"),
            Steps.Of(Timed, name: "right"),
            Steps.Of("cat left.start left.end right.start right.end", name: "join", dependsOn: ["left", "right"])),
            "async=true");

        Assert.Equal(0, detail.Code);
        var t = TaskApi.Lines(await Api.ConsoleAsync(id, "join")).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var (leftStart, leftEnd, rightStart, rightEnd) = (t[0], t[1], t[2], t[3]);
        Assert.True(leftStart < rightEnd && rightStart < leftEnd, $"the steps did not overlap: left {leftStart}-{leftEnd}, right {rightStart}-{rightEnd}");
        var total = Math.Max(leftEnd, rightEnd) - Math.Min(leftStart, rightStart);
        Assert.True(total < 1.8, $"two 1 s steps took {total:0.00} s together");
    }

    [Fact]
    public async Task Async_Diamond_JoinRunsAfterBothBranches()
    {
        var id = Ids.New("diamond");
        var detail = await Api.RunAsync(id, Steps.Array(
            Steps.Of("echo top > top.txt", name: "top"),
            Steps.Of("test -f top.txt && sleep 1 && echo left > left.txt", name: "left", dependsOn: ["top"]),
            Steps.Of("test -f top.txt && echo right > right.txt", name: "right", dependsOn: ["top"]),
            Steps.Of("cat top.txt left.txt right.txt", name: "bottom", dependsOn: ["left", "right"])),
            "async=true");

        Assert.Equal(0, detail.Code);
        Assert.All(detail.Data.EnumerateArray(), s => Assert.Equal(0, s.GetProperty("state").GetInt32()));
        Assert.Equal(["top", "left", "right"], TaskApi.Lines(await Api.ConsoleAsync(id, "bottom")));
        Assert.Equal(["left", "right"], detail.Step("bottom").GetProperty("depends_on").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task FailureInTheMiddle_SkipsDownstreamStepsNamingTheDependency()
    {
        var id = Ids.New("fail");
        var detail = await Api.RunAsync(id, Steps.Array(
            Steps.Of("echo fine", name: "s1"),
            Steps.Of("echo failing; exit 3", name: "s2"),
            Steps.Of("touch s3-ran", name: "s3"),
            Steps.Of("touch s4-ran", name: "s4")));

        Assert.Equal(1002, detail.Code);
        Assert.Equal("Stop", detail.Header("X-Task-STATE"));
        Assert.Contains("s2", detail.Message, StringComparison.Ordinal);
        Assert.Contains("exit code: 3", detail.Message, StringComparison.Ordinal);

        Assert.Equal(0, detail.Step("s1").GetProperty("state").GetInt32());
        Assert.Equal(0, detail.Step("s2").GetProperty("state").GetInt32());
        Assert.Equal(3, detail.Step("s2").GetProperty("code").GetInt32());
        Assert.Equal(4, detail.Step("s3").GetProperty("state").GetInt32());
        Assert.Contains("s2", detail.Step("s3").GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, detail.Step("s4").GetProperty("state").GetInt32());
        Assert.Contains("s3", detail.Step("s4").GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Workspace(id), "s3-ran")), "a skipped step ran");
        Assert.False(File.Exists(Path.Combine(Workspace(id), "s4-ran")), "a skipped step ran");

        var listed = TaskApi.ListedTasks(await Api.ListAsync())[id];
        Assert.Equal(3, listed.GetProperty("code").GetInt32());
        Assert.Equal(0, listed.GetProperty("state").GetInt32());
    }

    [Fact]
    public async Task Environment_HostThenTaskThenStep_WithTheTaskVariables()
    {
        var id = Ids.New("env");
        const string Script = """
            echo "HOST_ONLY=$RE_TEST_HOST_ONLY"
            echo "A=$RE_TEST_LEVEL_A"
            echo "B=$RE_TEST_LEVEL_B"
            echo "TASK_ONLY=$RE_TEST_TASK_ONLY"
            echo "TASK_ID=$TASK_ID"
            echo "TASK_STEP_ID=$TASK_STEP_ID"
            echo "TASK_WORKSPACE=$TASK_WORKSPACE"
            echo "TASK_STEP_SCRIPT_DIR=$TASK_STEP_SCRIPT_DIR"
            echo "SCRIPT_IN_DIR=$(dirname "$TASK_STEP_SCRIPT_PATH")"
            test -f "$TASK_STEP_SCRIPT_PATH" && echo "SCRIPT_EXISTS=yes"
            echo "PWD=$(pwd)"
            """;
        var task = new JsonObject
        {
            ["id"] = id,
            ["env_vars"] = Steps.Strings("RE_TEST_LEVEL_A=task", "RE_TEST_LEVEL_B=task", "RE_TEST_TASK_ONLY=t"),
            ["step"] = Steps.Array(
                Steps.Of(Script, name: "withstep", env: ["RE_TEST_LEVEL_B=step"]),
                Steps.Of(Script, name: "plain")),
        };
        Assert.Equal(0, (await Api.SubmitV2Async(task)).Code);
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);

        Dictionary<string, string> Vars(List<string> lines) =>
            lines.Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

        var withStep = Vars(TaskApi.Lines(await Api.ConsoleAsync(id, "withstep")));
        Assert.Equal("from-host", withStep["HOST_ONLY"]);
        Assert.Equal("task", withStep["A"]);
        Assert.Equal("step", withStep["B"]);
        Assert.Equal("t", withStep["TASK_ONLY"]);
        Assert.Equal(id, withStep["TASK_ID"]);
        Assert.Equal("withstep", withStep["TASK_STEP_ID"]);
        Assert.Equal(Workspace(id), withStep["TASK_WORKSPACE"]);
        Assert.Equal(ScriptDir(id), withStep["TASK_STEP_SCRIPT_DIR"]);
        Assert.Equal(ScriptDir(id), withStep["SCRIPT_IN_DIR"]);
        Assert.Equal("yes", withStep["SCRIPT_EXISTS"]);
        Assert.Equal(Workspace(id), withStep["PWD"]);

        var plain = Vars(TaskApi.Lines(await Api.ConsoleAsync(id, "plain")));
        Assert.Equal("task", plain["B"]);
        Assert.Equal("plain", plain["TASK_STEP_ID"]);
        Assert.Equal(Workspace(id), plain["PWD"]);
    }

    [Fact]
    public async Task ScriptDir_ExistsWhileRunning_IsRemovedWhenTheTaskEndsButTheWorkspaceStays()
    {
        var id = Ids.New("scripts");
        var detail = await Api.RunAsync(id, Steps.Array(
            Steps.Of("ls \"$TASK_STEP_SCRIPT_DIR\"; echo kept > result.txt", name: "look")));
        Assert.Equal(0, detail.Code);
        Assert.Contains("look.sh", TaskApi.Lines(await Api.ConsoleAsync(id, "look")));
        await Poll.UntilAsync(() => !Directory.Exists(ScriptDir(id)), Poll.Short, $"{ScriptDir(id)} still exists after the task ended");
        Assert.Equal("kept\n", await File.ReadAllTextAsync(Path.Combine(Workspace(id), "result.txt")));
    }

    [Fact]
    public async Task Output_StdoutAndStderr_AreBothCapturedInWriteOrder()
    {
        var id = Ids.New("streams");
        await Api.RunAsync(id, Steps.Array(Steps.Of(
            "echo out1; echo err1 >&2; echo out2; echo err2 >&2; echo out3; ls /no/such/dir; echo out4",
            name: "mixed")));
        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "mixed"));
        Assert.Equal(7, lines.Count);
        Assert.Equal(["out1", "err1", "out2", "err2", "out3"], lines.Take(5));
        Assert.Contains("/no/such/dir", lines[5], StringComparison.Ordinal);
        Assert.Equal("out4", lines[6]);
    }

    [Fact]
    public async Task Python3_Step_RunsTheScript()
    {
        var id = Ids.New("py");
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("import os\nprint('sum', 2 + 3, os.environ['TASK_STEP_ID'])", name: "calc", type: "py3")));
        Assert.Equal(0, detail.Code);
        Assert.Equal(["sum 5 calc"], TaskApi.Lines(await Api.ConsoleAsync(id, "calc")));
    }

    [Fact]
    public async Task MissingInterpreter_Step_FailsWithSystemErrorNamingIt()
    {
        var missing = new[] { "tcsh", "ksh", "csh", "zsh", "ash" }.FirstOrDefault(p => !HostProcesses.OnPath(p)) ?? "cmd";
        var id = Ids.New("nointerp");
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("echo hi", name: "shell", type: missing), Steps.Of("echo after", name: "next")));

        var step = detail.Step("shell");
        Assert.Equal(-999, step.GetProperty("state").GetInt32());
        Assert.Contains(missing, step.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Contains("not found", step.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, detail.Step("next").GetProperty("state").GetInt32());
        Assert.Equal(1002, detail.Code);

        var console = await Api.ConsoleAsync(id, "shell");
        Assert.Equal(1002, console.Code);
        Assert.Contains(missing, console.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Workspace_UrlFromTheList_ListsTheFilesStepsMadeWithoutFollowingLinks()
    {
        var id = Ids.New("files");
        await Api.RunAsync(id, Steps.Array(Steps.Of("printf hello > a.txt; mkdir sub; printf 12345678 > sub/b.bin; ln -s / rootlink", name: "make")));
        var url = TaskApi.ListedTasks(await Api.ListAsync())[id].GetProperty("workspace").GetString()!;
        using var response = await _server.Http.GetAsync(new Uri(url));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var listing = new ApiAnswer(response.StatusCode, new Dictionary<string, string>(), "application/json", await response.Content.ReadAsStringAsync());
        var entries = listing.Data.EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, e => e);

        Assert.Equal(5, entries["a.txt"].GetProperty("size").GetInt64());
        Assert.False(entries["a.txt"].GetProperty("dir").GetBoolean());
        Assert.True(entries["sub"].GetProperty("dir").GetBoolean());
        Assert.Equal(8, entries["sub/b.bin"].GetProperty("size").GetInt64());
        Assert.DoesNotContain(entries.Keys, k => k.StartsWith("rootlink/", StringComparison.Ordinal));
    }
}
