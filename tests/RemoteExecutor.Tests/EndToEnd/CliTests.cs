using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>The client commands of the executable against the real server, as an operator or a CI job runs them.</summary>
[Collection(ExecServerCollection.Name)]
public sealed class CliTests(ExecServerFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("re-cli-").FullName;

    private ServerProcess Server => fixture.Server;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task SubmitFollow_GoodYamlTask_PrintsEveryStepsOutputAndExitsZero()
    {
        var id = NewId("cliok");
        var path = File("ok.yaml", $"""
            id: {id}
            async: true
            step:
              - name: first
                command_type: bash
                command_content: |
                  echo "alpha-line"
                  echo "beta-line"
              - name: second
                command_type: bash
                depends_on: [first]
                command_content: echo "gamma-line"
            """);

        var (exit, stdout, stderr) = await CliProcess.RunAsync(Server, "submit", "-f", path, "--follow");

        Assert.True(exit == 0, $"exit {exit}; stdout: {stdout}; stderr: {stderr}");
        Assert.Contains("[first] alpha-line", stdout, StringComparison.Ordinal);
        Assert.Contains("[first] beta-line", stdout, StringComparison.Ordinal);
        Assert.Contains("[second] gamma-line", stdout, StringComparison.Ordinal);
        Assert.True(stdout.IndexOf("beta-line", StringComparison.Ordinal) < stdout.IndexOf("gamma-line", StringComparison.Ordinal), stdout);
        Assert.Contains($"task {id}: Stop, code 0", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitFollow_FailingTask_ExitsWithTheTasksCode()
    {
        var path = File("fail.yaml", """
            step:
              - name: broken
                command_type: bash
                command_content: |
                  echo "about to fail"
                  exit 3
            """);

        var (exit, stdout, stderr) = await CliProcess.RunAsync(Server, "submit", "-f", path, "--id", NewId("clifail"), "--follow");

        Assert.True(exit == 3, $"exit {exit}; stdout: {stdout}; stderr: {stderr}");
        Assert.Contains("[broken] about to fail", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LsAndGet_OutputJson_ParseAsTheAnswersData()
    {
        var id = NewId("clijson");
        var path = File("json.yaml", "step:\n  - name: only\n    command_type: bash\n    command_content: echo listed\n");
        var submit = await CliProcess.RunAsync(Server, "submit", "-f", path, "--id", id, "-o", "json");
        Assert.True(submit.Exit == 0, submit.Err);
        using (var answer = JsonDocument.Parse(submit.Out))
        {
            Assert.Equal(id, answer.RootElement.GetProperty("id").GetString());
        }

        await Server.Api.WaitForFinalAsync(id);

        var ls = await CliProcess.RunAsync(Server, "ls", "-o", "json");
        Assert.True(ls.Exit == 0, ls.Err);
        using (var list = JsonDocument.Parse(ls.Out))
        {
            Assert.Contains(list.RootElement.GetProperty("tasks").EnumerateArray(), t => t.GetProperty("id").GetString() == id);
        }

        var get = await CliProcess.RunAsync(Server, "get", id, "-o", "json");
        Assert.True(get.Exit == 0, get.Err);
        using var detail = JsonDocument.Parse(get.Out);
        var step = Assert.Single(detail.RootElement.EnumerateArray());
        Assert.Equal("only", step.GetProperty("name").GetString());
        Assert.Equal(0, step.GetProperty("state").GetInt32());
    }

    [Fact]
    public async Task GetAndLogs_OfAFanOut_ShowTheRunsTable_AndWithNodeThatNodesStepsAndConsole()
    {
        var node = await FanOutTests.NodeAsync(Server.Api);
        var id = NewId("clifan");
        var submit = await Server.Api.SubmitV2Async(FanOutTests.FanOut(id, Steps.Array(Steps.Of("echo on-$TASK_NODE", name: "work"))));
        Assert.True(submit.Code == 0, $"fan-out submit: {submit}");
        await Server.Api.WaitForFinalAsync(id);

        var get = await CliProcess.RunAsync(Server, "get", id);
        Assert.True(get.Exit == 0, get.Err);
        var runsRow = get.Out.Split('\n').Single(l => l.Contains($" {node} ", StringComparison.Ordinal) && l.Contains("Stop", StringComparison.Ordinal));
        Assert.Contains("executed successfully", runsRow, StringComparison.Ordinal);
        Assert.Contains("NODE", get.Out, StringComparison.Ordinal);
        Assert.Contains($"get {id} --node {node}", get.Out, StringComparison.Ordinal);

        var json = await CliProcess.RunAsync(Server, "get", id, "-o", "json");
        Assert.True(json.Exit == 0, json.Err);
        using (var detail = JsonDocument.Parse(json.Out))
        {
            Assert.Equal("work", Assert.Single(detail.RootElement.GetProperty("data").EnumerateArray()).GetProperty("name").GetString());
            Assert.Equal(node, Assert.Single(detail.RootElement.GetProperty("runs").EnumerateArray()).GetProperty("node").GetString());
        }

        var own = await CliProcess.RunAsync(Server, "get", id, "--node", node, "-o", "json");
        Assert.True(own.Exit == 0, own.Err);
        using (var detail = JsonDocument.Parse(own.Out))
        {
            var step = Assert.Single(detail.RootElement.EnumerateArray());
            Assert.EndsWith($"/work/console?node={node}", step.GetProperty("manager").GetString(), StringComparison.Ordinal);
        }

        var ownText = await CliProcess.RunAsync(Server, "get", id, "--node", node);
        Assert.True(ownText.Exit == 0, ownText.Err);
        Assert.Contains($"task {id} on node {node}", ownText.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("MESSAGE", ownText.Out, StringComparison.Ordinal);

        var logs = await CliProcess.RunAsync(Server, "logs", id, "work", "--node", node);
        Assert.True(logs.Exit == 0, logs.Err);
        Assert.Contains($"on-{node}", logs.Out, StringComparison.Ordinal);
        var followed = await CliProcess.RunAsync(Server, "logs", id, "work", "--node", node, "--follow");
        Assert.True(followed.Exit == 0, followed.Err);
        Assert.Contains($"on-{node}", followed.Out, StringComparison.Ordinal);

        var noNode = await CliProcess.RunAsync(Server, "logs", id, "work");
        Assert.Equal(1, noNode.Exit);
        Assert.Contains("node=", noNode.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_BadYaml_ExitsOneNamingTheLineAndField()
    {
        var path = File("bad.yaml", "step:\n  - command_type: bash\n    command_content: echo hi\n  - command_type: [bash]\n");

        var (exit, stdout, stderr) = await CliProcess.RunAsync(Server, "submit", "-f", path);

        Assert.Equal(1, exit);
        Assert.Contains("line 4: step[1].command_type: expected text", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout.Trim());
    }

    [Fact]
    public async Task PauseResumeKill_DelayedYamlTaskWithControls_HoldsItThenReleasesItThenKillsIt()
    {
        var id = NewId("clipause");
        var path = File("controls.yaml", "delay: 1h\nmax_parallel: 1\nasync: true\nstep:\n"
            + "  - name: a\n    command_type: bash\n    command_content: echo a\n"
            + "  - name: b\n    command_type: bash\n    command_content: echo b\n    depends_on: [a]\n    when: always\n");
        var pause = await CliProcess.RunAsync(Server, "pause", id, "--duration", "1h");
        Assert.True(pause.Exit != 0, "pausing a task that does not exist must fail");

        var submit = await CliProcess.RunAsync(Server, "submit", "-f", path, "--id", id);
        Assert.True(submit.Exit == 0, submit.Err);
        pause = await CliProcess.RunAsync(Server, "pause", id, "--duration", "1h");
        Assert.True(pause.Exit == 0, pause.Err);
        Assert.Contains("paused until", pause.Out, StringComparison.Ordinal);
        Assert.Equal("Paused", (await Server.Api.DetailAsync(id)).Header("X-Task-STATE"));

        var resume = await CliProcess.RunAsync(Server, "resume", id);
        Assert.True(resume.Exit == 0, resume.Err);
        var waiting = await Server.Api.DetailAsync(id);
        Assert.Equal("Pending", waiting.Header("X-Task-STATE"));
        Assert.Contains("starts at", waiting.Message, StringComparison.Ordinal);

        var kill = await CliProcess.RunAsync(Server, "kill", id);
        Assert.True(kill.Exit == 0, kill.Err);
        var detail = await Server.Api.WaitForFinalAsync(id);
        Assert.Equal("Killed", detail.Header("X-Task-STATE"));
        Assert.Equal("always", detail.Step("b").GetProperty("when").GetString());
    }

    [Fact]
    public async Task Kill_RunningFollowedTask_StopsItAndTheFollowerExitsNonZero()
    {
        var id = NewId("clikill");
        var path = File("sleep.yaml", "step:\n  - name: nap\n    command_type: bash\n    command_content: echo napping; sleep 300\n");
        using var follower = CliProcess.Start(Server, "submit", "-f", path, "--id", id, "--follow");
        await Server.Api.WaitForStepRunningAsync(id, "nap");

        var kill = await CliProcess.RunAsync(Server, "kill", id);
        Assert.True(kill.Exit == 0, kill.Err);

        var (exit, stdout, stderr) = await follower.WaitAsync();
        Assert.True(exit != 0, $"exit {exit}; stdout: {stdout}; stderr: {stderr}");
        Assert.Contains("[nap] napping", stdout, StringComparison.Ordinal);
        var detail = await Server.Api.WaitForFinalAsync(id);
        Assert.Equal("Killed", detail.Header("X-Task-STATE"));
    }

    [Fact]
    public async Task Pool_Size_ResizesAndShowsThePool()
    {
        var before = (await Server.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32();
        try
        {
            var (exit, stdout, stderr) = await CliProcess.RunAsync(Server, "pool", "--size", "7", "-o", "json");
            Assert.True(exit == 0, stderr);
            using var pool = JsonDocument.Parse(stdout);
            Assert.Equal(7, pool.RootElement.GetProperty("size").GetInt32());
            Assert.Equal(7, (await Server.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32());

            var shown = await CliProcess.RunAsync(Server, "pool");
            Assert.Contains("7", shown.Out, StringComparison.Ordinal);
        }
        finally
        {
            await Server.Api.SendAsync(HttpMethod.Post, "/api/v1/pool", $"{{\"size\": {before}}}");
        }
    }

    [Fact]
    public async Task Ls_NoServer_ExitsOneWithAHintNamingTheUrl()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var (exit, _, stderr) = await CliProcess.RunAsync(null, "ls", "--url", $"http://127.0.0.1:{port}");

        Assert.Equal(1, exit);
        Assert.Contains($"http://127.0.0.1:{port}", stderr, StringComparison.Ordinal);
        Assert.Contains("connection refused", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
