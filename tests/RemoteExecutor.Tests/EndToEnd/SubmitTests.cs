using System.Net;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Submitting tasks: v1, v2, the root shortcut, id handling, and every refusal.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class SubmitTests
{
    private readonly ServerProcess _server;

    public SubmitTests(ApiServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    private void AssertAccepted(ApiAnswer answer, string id, int count)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, $"submit refused: {answer}");
        Assert.Equal(0, answer.Code);
        Assert.Equal(id, answer.Data.GetProperty("id").GetString());
        Assert.Equal(count, answer.Data.GetProperty("count").GetInt32());
        Assert.Equal($"{_server.BaseAddress.ToString().TrimEnd('/')}/api/v1/task/{Uri.EscapeDataString(id)}", answer.Data.GetProperty("url").GetString());
        // A header carries ASCII only: a CJK id may come percent-encoded there.
        Assert.Contains(answer.Header("X-Task-ID"), new[] { id, Uri.EscapeDataString(id) });
    }

    [Fact]
    public async Task SubmitV1_ArrayWithQueryOptions_AnswersUrlIdCountAndRunsWithThoseOptions()
    {
        var id = Ids.New("v1opts");
        var steps = Steps.Array(
            Steps.Of("echo \"A=$V1_A B=$V1_B\"", name: "first"),
            Steps.Of("echo second", name: "second", dependsOn: []));
        var answer = await Api.SubmitV1Async(steps, $"id={id}&async=true&timeout=5m&env_vars=V1_A=one&env_vars=V1_B=two");
        AssertAccepted(answer, id, 2);

        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);
        Assert.Equal("Stop", detail.Header("X-Task-STATE"));
        Assert.Equal(["A=one B=two"], TaskApi.Lines(await Api.ConsoleAsync(id, "first")));

        var listed = TaskApi.ListedTasks(await Api.ListAsync())[id];
        Assert.Equal("5m0s", listed.GetProperty("timeout").GetString());
        Assert.Equal(["V1_A=one", "V1_B=two"], listed.GetProperty("env_vars").EnumerateArray().Select(e => e.GetString()));

        // async=true: both steps are roots of the DAG.
        Assert.Empty(detail.Step("second").GetProperty("depends_on").EnumerateArray());
    }

    [Fact]
    public async Task SubmitV2_TaskObject_IsAcceptedAndRun()
    {
        var id = Ids.New("v2task");
        var task = new JsonObject
        {
            ["id"] = id,
            ["timeout"] = "10m",
            ["env_vars"] = Steps.Strings("V2_VAR=hello"),
            ["async"] = false,
            ["step"] = Steps.Array(Steps.Of("echo $V2_VAR", name: "one"), Steps.Of("echo world", name: "two")),
        };
        var answer = await Api.SubmitV2Async(task);
        AssertAccepted(answer, id, 2);

        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);
        Assert.Equal(["hello"], TaskApi.Lines(await Api.ConsoleAsync(id, "one")));
        Assert.Equal(["one"], detail.Step("two").GetProperty("depends_on").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task SubmitRoot_PostSlash_IsTheSameAsV1()
    {
        var id = Ids.New("rootpost");
        var answer = await Api.SubmitV1Async(Steps.Array(Steps.Of("echo via-root", name: "only")), $"id={id}", path: "/");
        AssertAccepted(answer, id, 1);
        await Api.WaitForFinalAsync(id);
        Assert.Equal(["via-root"], TaskApi.Lines(await Api.ConsoleAsync(id, "only")));
    }

    [Fact]
    public async Task Submit_NoId_GetsAFreshUniqueId()
    {
        var first = await Api.SubmitV1Async(Steps.Array(Steps.Of("true")));
        var second = await Api.SubmitV1Async(Steps.Array(Steps.Of("true")));
        var a = first.Data.GetProperty("id").GetString()!;
        var b = second.Data.GetProperty("id").GetString()!;
        AssertAccepted(first, a, 1);
        AssertAccepted(second, b, 1);
        Assert.NotEqual(a, b);
        Assert.Matches("^[0-9A-Za-z]+$", a);
        await Api.WaitForFinalAsync(a);
        await Api.WaitForFinalAsync(b);
    }

    [Fact]
    public async Task Submit_IdWithPunctuation_IsSanitised()
    {
        var suffix = Ids.New("");
        var answer = await Api.SubmitV1Async(Steps.Array(Steps.Of("true")), $"id={Uri.EscapeDataString($"my-task!{suffix}")}");
        var id = $"mytask{suffix}";
        AssertAccepted(answer, id, 1);
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(HttpStatusCode.OK, detail.Status);
    }

    [Fact]
    public async Task Submit_BodyOverTenMegabytes_Answers413EnvelopeAndCreatesNothing()
    {
        var id = Ids.New("huge");
        var content = "# " + new string('x', 11 * 1024 * 1024);

        // Expect: 100-continue lets the server refuse before the client sends 11 MB (else the refusal races the upload).
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/task?id={id}")
        {
            Content = new StringContent(Steps.Array(Steps.Of(content)).ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        using var response = await _server.Http.SendAsync(request);
        var answer = new ApiAnswer(response.StatusCode, new Dictionary<string, string>(), "application/json", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.Contains("too large", answer.Message, StringComparison.Ordinal);
        await AssertNotCreatedAsync(id);
    }

    [Fact]
    public async Task Submit_TooLongId_Answers400()
    {
        var answer = await Api.SubmitV1Async(Steps.Array(Steps.Of("true")), $"id={new string('a', 129)}");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("too long", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_CjkId_IsAcceptedAndServedBack()
    {
        // Ids keep CJK ideographs (contract): the submit must answer 200 with the id, not fail after creating the task.
        var id = "任务" + Ids.New("");
        var answer = await Api.SubmitV1Async(Steps.Array(Steps.Of("echo 你好", name: "问候")), $"id={Uri.EscapeDataString(id)}");
        AssertAccepted(answer, id, 1);
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);
        Assert.Equal(["你好"], TaskApi.Lines(await Api.ConsoleAsync(id, "问候")));
    }

    [Fact]
    public async Task Submit_UnnamedSteps_GetTaskIdDashPositionNames()
    {
        var id = Ids.New("gen");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("echo one"), Steps.Of("echo two", name: "named"), Steps.Of("echo three", name: "!!")));
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal([$"{id}-1", "named", $"{id}-3"], detail.Data.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(["three"], TaskApi.Lines(await Api.ConsoleAsync(id, $"{id}-3")));
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        { "empty array", "[]", "no steps" },
        { "missing command_type", """[{"name":"a","command_content":"echo"}]""", "command_type is required" },
        { "missing command_content", """[{"name":"a","command_type":"bash"}]""", "command_content is required" },
        { "unknown command_type", """[{"name":"a","command_type":"fish","command_content":"echo"}]""", "unknown command_type \"fish\"" },
        { "duplicate names", """[{"name":"a","command_type":"bash","command_content":"echo"},{"name":"a","command_type":"bash","command_content":"echo"}]""", "duplicate step name \"a\"" },
        { "duplicate after sanitising", """[{"name":"a-1","command_type":"bash","command_content":"echo"},{"name":"a1","command_type":"bash","command_content":"echo"}]""", "duplicate step name \"a1\"" },
        { "malformed JSON", """[{"name":"a",""", "malformed JSON" },
        { "object instead of array", """{"name":"a"}""", "malformed JSON" },
        { "bad step timeout", """[{"name":"a","command_type":"bash","command_content":"echo","timeout":"soon"}]""", "step[0].timeout" },
        { "bad env entry", """[{"name":"a","command_type":"bash","command_content":"echo","env_vars":["NOEQUALS"]}]""", "NOEQUALS" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task SubmitV1_InvalidBody_Answers400Code1000NamingTheProblemAndCreatesNothing(string why, string body, string said)
    {
        var id = Ids.New("bad");
        var answer = await Api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={id}", body);
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{why}: {answer}");
        Assert.Equal(1000, answer.Code);
        Assert.Contains(said, answer.Message, StringComparison.Ordinal);
        Assert.Null(answer.Header("X-Task-ID"));
        await AssertNotCreatedAsync(id);
    }

    [Theory]
    [InlineData("unknown depends_on", """[{"name":"a","command_type":"bash","command_content":"echo","depends_on":["ghost"]}]""", "ghost")]
    [InlineData("cycle", """[{"name":"a","command_type":"bash","command_content":"echo","depends_on":["b"]},{"name":"b","command_type":"bash","command_content":"echo","depends_on":["a"]}]""", "cycle")]
    [InlineData("self dependency", """[{"name":"a","command_type":"bash","command_content":"echo","depends_on":["a"]}]""", "itself")]
    public async Task SubmitV1_InvalidDag_Answers400Code1000AndCreatesNothing(string why, string body, string said)
    {
        var id = Ids.New("baddag");
        var answer = await Api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={id}&async=true", body);
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{why}: {answer}");
        Assert.Equal(1000, answer.Code);
        Assert.Contains(said, answer.Message, StringComparison.Ordinal);
        await AssertNotCreatedAsync(id);
    }

    [Theory]
    [InlineData("timeout=abc", "invalid duration \"abc\"")]
    [InlineData("timeout=5x", "unknown unit")]
    [InlineData("timeout=0s", "must be positive")]
    [InlineData("async=maybe", "async")]
    [InlineData("env_vars=NOEQUALS", "NOEQUALS")]
    [InlineData("id=..%2Fescape", "path separators")]
    [InlineData("id=a%5Cb", "path separators")]
    [InlineData("id=%21%21%21", "no letters or digits")]
    public async Task SubmitV1_BadQuery_Answers400Code1000AndCreatesNothing(string query, string said)
    {
        var id = Ids.New("badq");
        var answer = await Api.SubmitV1Async(Steps.Array(Steps.Of("echo hi")), query.StartsWith("id=", StringComparison.Ordinal) ? query : $"id={id}&{query}");
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{query}: {answer}");
        Assert.Equal(1000, answer.Code);
        Assert.Contains(said, answer.Message, StringComparison.Ordinal);
        await AssertNotCreatedAsync(id);
    }

    [Theory]
    [InlineData("""{"id":"ID","step":[]}""", "no steps")]
    [InlineData("""{"id":"ID"}""", "no steps")]
    [InlineData("""{"id":"ID","timeout":"abc","step":[{"command_type":"bash","command_content":"echo"}]}""", "invalid duration")]
    [InlineData("""{"id":"ID","async":true,"step":[{"name":"x","command_type":"bash","command_content":"echo","depends_on":["y"]}]}""", "unknown step \"y\"")]
    [InlineData("""[{"command_type":"bash","command_content":"echo"}]""", "malformed JSON")]
    public async Task SubmitV2_InvalidTask_Answers400Code1000AndCreatesNothing(string body, string said)
    {
        var id = Ids.New("badv2");
        var answer = await Api.SendAsync(HttpMethod.Post, "/api/v2/task", body.Replace("ID", id, StringComparison.Ordinal));
        Assert.True(answer.Status == HttpStatusCode.BadRequest, answer.ToString());
        Assert.Equal(1000, answer.Code);
        Assert.Contains(said, answer.Message, StringComparison.Ordinal);
        await AssertNotCreatedAsync(id);
    }

    [Fact]
    public async Task Submit_IdStillRunning_Answers409AndLeavesTheRunAlone()
    {
        var id = Ids.New("busy");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("echo started; sleep 30", name: "long")));
        await Api.WaitForStepRunningAsync(id, "long");

        var again = await Api.SubmitV1Async(Steps.Array(Steps.Of("echo replaced", name: "other")), $"id={id}");
        Assert.Equal(HttpStatusCode.Conflict, again.Status);
        Assert.NotEqual(0, again.Code);
        Assert.Contains(id, again.Message, StringComparison.Ordinal);

        var detail = await Api.DetailAsync(id);
        Assert.Equal("long", Assert.Single(detail.Data.EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(1, detail.Step("long").GetProperty("state").GetInt32());

        await Api.KillTaskAsync(id);
        await Api.WaitForFinalAsync(id);
    }

    [Fact]
    public async Task Submit_FinishedId_RunsAgainFresh()
    {
        var id = Ids.New("again");
        var first = await Api.RunAsync(id, Steps.Array(Steps.Of("echo first-run; exit 4", name: "old")));
        Assert.Equal(1002, first.Code);

        var answer = await Api.SubmitV1Async(Steps.Array(Steps.Of("echo second-run", name: "new1"), Steps.Of("echo more", name: "new2")), $"id={id}");
        AssertAccepted(answer, id, 2);
        var second = await Api.WaitForFinalAsync(id);

        Assert.Equal(0, second.Code);
        Assert.Equal(["new1", "new2"], second.Data.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(["second-run"], TaskApi.Lines(await Api.ConsoleAsync(id, "new1")));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.ConsoleAsync(id, "old")).Status);

        var listed = TaskApi.ListedTasks(await Api.ListAsync())[id];
        Assert.Equal(0, listed.GetProperty("code").GetInt32());
        Assert.Equal(2, listed.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Submit_FinishedIdWithTheSameStepNames_ShowsOnlyTheNewRunsOutput()
    {
        var id = Ids.New("samename");
        await Api.RunAsync(id, Steps.Array(Steps.Of("echo old-1; echo old-2; echo old-3", name: "a")));
        var second = await Api.RunAsync(id, Steps.Array(Steps.Of("echo new-1", name: "a")));
        Assert.Equal(0, second.Code);
        Assert.Equal(["new-1"], TaskApi.Lines(await Api.ConsoleAsync(id, "a")));
        Assert.Equal("new-1", second.Step("a").GetProperty("msg").GetString());
    }

    private async Task AssertNotCreatedAsync(string id)
    {
        var detail = await Api.DetailAsync(id);
        Assert.Equal(HttpStatusCode.NotFound, detail.Status);
        Assert.Equal(1003, detail.Code);
        Assert.DoesNotContain(id, TaskApi.ListedTasks(await Api.ListAsync()).Keys);
    }
}
