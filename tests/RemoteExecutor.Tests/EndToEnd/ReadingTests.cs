using System.Net;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Reading tasks back: list, detail, console, through every route, with the contract's codes.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class ReadingTests
{
    private readonly ServerProcess _server;

    public ReadingTests(ApiServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    private string Base => _server.BaseAddress.ToString().TrimEnd('/');

    private static readonly System.Text.RegularExpressions.Regex TimeFormat = new(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$");

    [Theory]
    [InlineData("/api/v1/task")]
    [InlineData("/")]
    public async Task List_FinishedTask_HasTheContractFields(string route)
    {
        var id = Ids.New("listed");
        await Api.RunAsync(id, Steps.Array(Steps.Of("echo a", name: "s1"), Steps.Of("exit 2", name: "s2")), "timeout=1h&env_vars=LIST_VAR=x");

        var list = await Api.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal(0, list.Code);
        var tasks = list.Data.GetProperty("tasks");
        Assert.Equal(tasks.GetArrayLength(), list.Data.GetProperty("total").GetInt32());

        var task = TaskApi.ListedTasks(list)[id];
        Assert.Equal(2, task.GetProperty("code").GetInt32());
        Assert.Equal(0, task.GetProperty("state").GetInt32());
        Assert.Equal($"{Base}/api/v1/task/{id}", task.GetProperty("manager").GetString());
        Assert.StartsWith($"{Base}/", task.GetProperty("workspace").GetString(), StringComparison.Ordinal);
        Assert.Contains("execution failed", task.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Contains("s2", task.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(["LIST_VAR=x"], task.GetProperty("env_vars").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("1h0m0s", task.GetProperty("timeout").GetString());
        Assert.Equal(2, task.GetProperty("count").GetInt32());
        Assert.Matches(TimeFormat, task.GetProperty("times").GetProperty("st").GetString());
        Assert.Matches(TimeFormat, task.GetProperty("times").GetProperty("et").GetString());
    }

    [Fact]
    public async Task List_SuccessfulTask_SaysAllStepsExecutedSuccessfully()
    {
        var id = Ids.New("listok");
        await Api.RunAsync(id, Steps.Array(Steps.Of("true")));
        var task = TaskApi.ListedTasks(await Api.ListAsync())[id];
        Assert.Equal("all steps executed successfully", task.GetProperty("msg").GetString());
        Assert.Equal(0, task.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task List_RunningTask_SaysCurrentlyExecuting()
    {
        var id = Ids.New("listrun");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("sleep 30", name: "napping")));
        await Api.WaitForStepRunningAsync(id, "napping");
        var task = TaskApi.ListedTasks(await Api.ListAsync())[id];
        Assert.Equal(1, task.GetProperty("state").GetInt32());
        Assert.Equal("currently executing: [Step: napping]", task.GetProperty("msg").GetString());
        Assert.Equal("", task.GetProperty("times").GetProperty("et").GetString());
        await Api.KillTaskAsync(id);
        await Api.WaitForFinalAsync(id);
    }

    [Fact]
    public async Task List_SortByEt_OrdersByEndTimeInsteadOfStartTime()
    {
        // The first task starts first and ends last.
        var early = Ids.New("sortearly");
        var late = Ids.New("sortlate");
        await Api.SubmitOkAsync(early, Steps.Array(Steps.Of("sleep 5")));
        await Poll.UntilAsync(async () => TaskApi.ListedTasks(await Api.ListAsync()).ContainsKey(early), Poll.Short, "first task listed");
        await Api.RunAsync(late, Steps.Array(Steps.Of("true")));
        await Api.WaitForFinalAsync(early);

        static List<string> Order(ApiAnswer list, params string[] ids) =>
            [.. list.Data.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).Where(ids.Contains)];

        Assert.Equal([early, late], Order(await Api.ListAsync(), early, late));
        Assert.Equal([late, early], Order(await Api.ListAsync("et"), early, late));
    }

    [Theory]
    [InlineData("/api/v1/task/{0}")]
    [InlineData("/{0}")]
    public async Task Detail_BothRoutes_GiveOneEntryPerStepWithTheContractFields(string route)
    {
        var id = Ids.New("detail");
        await Api.RunAsync(id, Steps.Array(
            Steps.Of("echo hello", name: "greet", env: ["STEP_VAR=1"], timeout: "90s"),
            Steps.Of("print('py')", name: "py", type: "python3")));

        var detail = await Api.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, id));
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        Assert.Equal(0, detail.Code);
        Assert.Equal("success", detail.Message);
        Assert.Equal("Stop", detail.Header("X-Task-STATE"));
        Assert.Equal(2, detail.Data.GetArrayLength());

        var greet = detail.Step("greet");
        Assert.Equal(0, greet.GetProperty("code").GetInt32());
        Assert.Equal(0, greet.GetProperty("state").GetInt32());
        Assert.Equal($"{Base}/api/v1/task/{id}/greet/console", greet.GetProperty("manager").GetString());
        Assert.StartsWith($"{Base}/", greet.GetProperty("workspace").GetString(), StringComparison.Ordinal);
        Assert.Equal("hello", greet.GetProperty("msg").GetString());
        Assert.Equal("1m30s", greet.GetProperty("timeout").GetString());
        Assert.Empty(greet.GetProperty("depends_on").EnumerateArray());
        Assert.Equal("bash", greet.GetProperty("command_type").GetString());
        Assert.Equal(["STEP_VAR=1"], greet.GetProperty("env_vars").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("echo hello", greet.GetProperty("command_content").GetString());
        Assert.Matches(TimeFormat, greet.GetProperty("times").GetProperty("st").GetString());
        Assert.Matches(TimeFormat, greet.GetProperty("times").GetProperty("et").GetString());

        var py = detail.Step("py");
        Assert.Equal("py", py.GetProperty("msg").GetString());
        Assert.Equal("python3", py.GetProperty("command_type").GetString());
        Assert.Equal(["greet"], py.GetProperty("depends_on").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("/api/v1/task/{0}/{1}/console")]
    [InlineData("/{0}/{1}/console")]
    public async Task Console_BothRoutes_GiveNumberedLinesWithTimestamps(string route)
    {
        var id = Ids.New("console");
        await Api.RunAsync(id, Steps.Array(Steps.Of("printf 'one\\ntwo\\n\\nfour'", name: "out")));
        var console = await Api.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, route, id, "out"));
        Assert.Equal(HttpStatusCode.OK, console.Status);
        Assert.Equal(0, console.Code);

        var lines = console.Data.EnumerateArray().ToList();
        Assert.Equal(["one", "two", "", "four"], lines.Select(l => l.GetProperty("content").GetString()));
        Assert.Equal([1L, 2L, 3L, 4L], lines.Select(l => l.GetProperty("line").GetInt64()));
        var now = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        Assert.All(lines, l => Assert.InRange(l.GetProperty("timestamp").GetInt64(), now - 120_000_000_000L, now));
    }

    [Fact]
    public async Task Console_WhileRunning_Answers1001WithTheLinesSoFar()
    {
        var id = Ids.New("conrun");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("echo early-line; sleep 30", name: "slow")));
        var console = await Poll.UntilAsync(
            async () =>
            {
                var c = await Api.ConsoleAsync(id, "slow");
                return (c.Code == 1001 && TaskApi.Lines(c).Contains("early-line"), c);
            },
            Poll.Short,
            last => $"console never showed the running line: {last}");
        Assert.Equal(HttpStatusCode.OK, console.Status);
        Assert.Equal(["early-line"], TaskApi.Lines(console));

        var detail = await Api.DetailAsync(id);
        Assert.Equal(1001, detail.Code);
        Assert.Equal("Running", detail.Header("X-Task-STATE"));
        Assert.Contains("currently executing: [Step: slow]", detail.Message, StringComparison.Ordinal);
        Assert.Equal("running", detail.Step("slow").GetProperty("msg").GetString());

        await Api.KillTaskAsync(id);
        await Api.WaitForFinalAsync(id);
    }

    [Fact]
    public async Task Console_PendingStep_Answers1004()
    {
        var id = Ids.New("conpend");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("sleep 30", name: "first"), Steps.Of("echo later", name: "second")));
        await Api.WaitForStepRunningAsync(id, "first");
        var console = await Api.ConsoleAsync(id, "second");
        Assert.Equal(HttpStatusCode.OK, console.Status);
        Assert.Equal(1004, console.Code);
        Assert.Empty(console.Data.EnumerateArray());
        Assert.Equal(2, (await Api.DetailAsync(id)).Step("second").GetProperty("state").GetInt32());
        await Api.KillTaskAsync(id);
        await Api.WaitForFinalAsync(id);
    }

    [Fact]
    public async Task Console_FailedStep_Answers1002WithTheExitCode()
    {
        var id = Ids.New("confail");
        await Api.RunAsync(id, Steps.Array(Steps.Of("echo before-failing; exit 5", name: "bad")));
        var console = await Api.ConsoleAsync(id, "bad");
        Assert.Equal(HttpStatusCode.OK, console.Status);
        Assert.Equal(1002, console.Code);
        Assert.Equal("exit code: 5", console.Message);
        Assert.Equal(["before-failing"], TaskApi.Lines(console));
    }

    [Fact]
    public async Task Console_SucceededStep_Answers0()
    {
        var id = Ids.New("conok");
        await Api.RunAsync(id, Steps.Array(Steps.Of("echo fine", name: "good")));
        var console = await Api.ConsoleAsync(id, "good");
        Assert.Equal(0, console.Code);
        Assert.Equal("success", console.Message);
    }

    [Fact]
    public async Task UnknownTask_DetailConsoleAndKill_Answer404Code1003()
    {
        var id = Ids.New("ghost");
        foreach (var answer in new[]
        {
            await Api.DetailAsync(id),
            await Api.GetAsync($"/{id}"),
            await Api.ConsoleAsync(id, "step"),
            await Api.GetAsync($"/{id}/step/console"),
            await Api.KillTaskAsync(id),
            await Api.KillStepAsync(id, "step"),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, answer.Status);
            Assert.Equal(1003, answer.Code);
            Assert.Equal(JsonValueKind.Null, answer.Data.ValueKind);
        }
    }

    [Fact]
    public async Task UnknownStep_OfAKnownTask_Answers404Code1003()
    {
        var id = Ids.New("nostep");
        await Api.RunAsync(id, Steps.Array(Steps.Of("true", name: "real")));
        var console = await Api.ConsoleAsync(id, "imaginary");
        Assert.Equal(HttpStatusCode.NotFound, console.Status);
        Assert.Equal(1003, console.Code);
        Assert.Contains("imaginary", console.Message, StringComparison.Ordinal);
    }
}
