using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Server of the retry and output tests: its own, because one of them restarts it.</summary>
public sealed class RetryServerFixture : ServerFixture;

/// <summary>Step outputs passed down the DAG and step retries through the real binary.</summary>
public sealed class RetryAndOutputTests : IClassFixture<RetryServerFixture>
{
    private readonly RetryServerFixture _fixture;

    public RetryAndOutputTests(RetryServerFixture fixture) => _fixture = fixture;

    private ServerProcess Server => _fixture.Server;

    private TaskApi Api => Server.Api;

    private static JsonObject Retry(int limit, string backoff = "200ms", int[]? codes = null)
    {
        var retry = new JsonObject { ["limit"] = limit, ["backoff"] = backoff, ["max_backoff"] = "1s" };
        if (codes is not null)
        {
            retry["on_exit_codes"] = new JsonArray([.. codes.Select(c => (JsonNode?)JsonValue.Create(c))]);
        }

        return retry;
    }

    private static JsonObject WithRetry(JsonObject step, JsonObject retry)
    {
        step["retry"] = retry;
        return step;
    }

    /// <summary>A step that fails with <paramref name="code"/> on its first <paramref name="failures"/> runs (a counter in the workspace), then succeeds.</summary>
    private static string FailTimes(int failures, int code) =>
        "n=$(cat \"$TASK_WORKSPACE/count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$TASK_WORKSPACE/count\"; "
        + $"echo \"attempt $n\"; if [ $n -le {failures} ]; then exit {code}; fi";

    private Task<ApiAnswer> ConsoleAsync(string id, string step, int attempt) =>
        Api.GetAsync($"/api/v1/task/{id}/{step}/console?attempt={attempt}");

    private const int KilledState = -255;

    private const int TimeoutState = -256;

    private static int Attempts(ApiAnswer detail, string step) => detail.Step(step).GetProperty("attempts").GetInt32();

    [Fact]
    public async Task Outputs_ReachTransitiveDependants_AndShowInDetail()
    {
        var id = Ids.New("outputs");
        var done = await Api.RunAsync(id, Steps.Array(
            Steps.Of("echo 'color=blue' >> \"$TASK_STEP_OUTPUT\"; echo 'not an output line' >> \"$TASK_STEP_OUTPUT\"; echo 'size=3=three' >> \"$TASK_STEP_OUTPUT\"", name: "A"),
            Steps.Of("echo \"b sees $TASK_OUTPUT_A_COLOR\"", name: "B", dependsOn: ["A"]),
            Steps.Of("echo \"c sees $TASK_OUTPUT_A_COLOR $TASK_OUTPUT_A_SIZE\"", name: "C", dependsOn: ["B"])), "async=true");

        Assert.Equal(0, done.Code);
        var outputs = done.Step("A").GetProperty("outputs");
        Assert.Equal("blue", outputs.GetProperty("color").GetString());
        Assert.Equal("3=three", outputs.GetProperty("size").GetString());
        Assert.Contains("1 line not of the form KEY=VALUE ignored", done.Step("A").GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, done.Step("C").GetProperty("outputs").ValueKind);
        Assert.Equal(["b sees blue"], TaskApi.Lines(await Api.ConsoleAsync(id, "B")));
        Assert.Equal(["c sees blue 3=three"], TaskApi.Lines(await Api.ConsoleAsync(id, "C")));
    }

    [Fact]
    public async Task Outputs_SecretValuesAreMasked()
    {
        var id = Ids.New("outsecret");
        var done = await Api.RunAsync(id, Steps.Array(
            Steps.Of("echo \"token=$TOKEN\" >> \"$TASK_STEP_OUTPUT\"; echo \"url=https://x/?t=$TOKEN\" >> \"$TASK_STEP_OUTPUT\"", name: "A", env: ["SECRET:TOKEN=hunter2secret"]),
            Steps.Of("echo \"got $TASK_OUTPUT_A_TOKEN\"", name: "B")));

        Assert.Equal(0, done.Code);
        Assert.DoesNotContain("hunter2secret", done.Body, StringComparison.Ordinal);
        var outputs = done.Step("A").GetProperty("outputs");
        Assert.Equal("***", outputs.GetProperty("token").GetString());
        Assert.Equal("https://x/?t=***", outputs.GetProperty("url").GetString());
        Assert.Equal(["got ***"], TaskApi.Lines(await Api.ConsoleAsync(id, "B")));
    }

    [Fact]
    public async Task Outputs_OversizedFile_IsBounded()
    {
        var id = Ids.New("outbig");
        // 2000 lines of 50 bytes = 100 000 bytes: only the first 64 KiB are read, the cut line is dropped.
        var done = await Api.RunAsync(id, Steps.Array(Steps.Of(
            "for i in $(seq 1 2000); do printf 'k%04d=%043d\\n' $i 0; done > \"$TASK_STEP_OUTPUT\"", name: "A")));

        Assert.Equal(0, done.Code);
        var outputs = done.Step("A").GetProperty("outputs");
        Assert.Equal((64 * 1024) / 50, outputs.EnumerateObject().Count());
        Assert.True(outputs.TryGetProperty("k0001", out _), done.Body);
        Assert.False(outputs.TryGetProperty("k2000", out _), done.Body);
        Assert.Contains("longer than 64 KiB", done.Step("A").GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_FailsTwiceThenSucceeds_KeepsEachAttemptsConsole()
    {
        var id = Ids.New("retryok");
        var done = await Api.RunAsync(id, Steps.Array(WithRetry(Steps.Of(FailTimes(2, 3), name: "flaky"), Retry(3))));

        Assert.Equal("Stop", done.Header("X-Task-STATE"));
        Assert.Equal(0, done.Code);
        Assert.Equal(3, Attempts(done, "flaky"));
        Assert.Equal(0, done.Step("flaky").GetProperty("code").GetInt32());
        Assert.Equal(["attempt 1"], TaskApi.Lines(await ConsoleAsync(id, "flaky", 1)));
        Assert.Equal(["attempt 2"], TaskApi.Lines(await ConsoleAsync(id, "flaky", 2)));
        Assert.Equal(["attempt 3"], TaskApi.Lines(await ConsoleAsync(id, "flaky", 3)));
        Assert.Equal(["attempt 3"], TaskApi.Lines(await Api.ConsoleAsync(id, "flaky")));
        var beyond = await ConsoleAsync(id, "flaky", 4);
        Assert.Equal(HttpStatusCode.BadRequest, beyond.Status);
        Assert.Contains("attempt", beyond.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_LimitExhausted_FailsWithTheLastCode()
    {
        var id = Ids.New("retrygiveup");
        var done = await Api.RunAsync(id, Steps.Array(WithRetry(Steps.Of(FailTimes(10, 7), name: "bad"), Retry(2))));

        Assert.Equal("Stop", done.Header("X-Task-STATE"));
        Assert.NotEqual(0, done.Code);
        Assert.Equal(3, Attempts(done, "bad"));
        Assert.Equal(7, done.Step("bad").GetProperty("code").GetInt32());
        Assert.Equal(["attempt 3"], TaskApi.Lines(await Api.ConsoleAsync(id, "bad")));
    }

    [Fact]
    public async Task Retry_OtherExitCode_IsNotRetried()
    {
        var id = Ids.New("retrycodes");
        var done = await Api.RunAsync(id, Steps.Array(WithRetry(Steps.Of(FailTimes(10, 4), name: "bad"), Retry(3, codes: [1, 2]))));

        Assert.Equal(1, Attempts(done, "bad"));
        Assert.Equal(4, done.Step("bad").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Retry_Timeout_IsRetriedUnlessOnTimeoutIsFalse()
    {
        // The first attempt outlives the step timeout; the second finishes at once.
        var script = "n=$(cat \"$TASK_WORKSPACE/count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$TASK_WORKSPACE/count\"; "
            + "echo \"attempt $n\"; if [ $n -le 1 ]; then sleep 30; fi";
        var retried = Ids.New("retrytimeout");
        var notRetried = Ids.New("retrynotimeout");
        await Api.SubmitOkAsync(retried, Steps.Array(WithRetry(Steps.Of(script, name: "slow", timeout: "700ms"), Retry(2))));
        var off = Retry(2);
        off["on_timeout"] = false;
        await Api.SubmitOkAsync(notRetried, Steps.Array(WithRetry(Steps.Of(script, name: "slow", timeout: "700ms"), off)));

        var done = await Api.WaitForFinalAsync(retried);
        Assert.Equal(0, done.Code);
        Assert.Equal(2, Attempts(done, "slow"));
        var stopped = await Api.WaitForFinalAsync(notRetried);
        Assert.Equal(TimeoutState, stopped.Step("slow").GetProperty("state").GetInt32());
        Assert.Equal(1, Attempts(stopped, "slow"));
    }

    [Fact]
    public async Task Retry_KillDuringBackoff_EndsAtOnce()
    {
        var id = Ids.New("retrykill");
        // A long backoff: the kill must not wait for it, and no second attempt may run.
        await Api.SubmitOkAsync(id, Steps.Array(WithRetry(Steps.Of(FailTimes(10, 1), name: "bad"), new JsonObject { ["limit"] = 5, ["backoff"] = "1m" })));
        await Poll.UntilAsync(() => Server.LogContains($"/{id}/bad: attempt 1 failed; the next starts in"), Poll.Short, "the first attempt never failed");
        var detail = await Api.DetailAsync(id);
        Assert.Equal("Running", detail.Header("X-Task-STATE"));

        var kill = await Api.KillTaskAsync(id);
        Assert.True(kill.Status == HttpStatusCode.OK && kill.Code == 0, $"kill: {kill}");
        var done = await Api.WaitForFinalAsync(id, TimeSpan.FromSeconds(10));
        Assert.Equal("Killed", done.Header("X-Task-STATE"));
        Assert.Equal(KilledState, done.Step("bad").GetProperty("state").GetInt32());
        Assert.Contains("while waiting to retry", done.Step("bad").GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, Attempts(done, "bad"));
        Assert.Equal(["attempt 1"], TaskApi.Lines(await Api.ConsoleAsync(id, "bad")));
    }

    [Fact]
    public async Task Retry_BackoffWait_SurvivesARestart()
    {
        var id = Ids.New("retryrestart");
        await Api.SubmitOkAsync(id, Steps.Array(WithRetry(Steps.Of(FailTimes(1, 1), name: "flaky"), new JsonObject { ["limit"] = 2, ["backoff"] = "3s" })));
        await Poll.UntilAsync(() => Server.LogContains($"/{id}/flaky: attempt 1 failed; the next starts in"), Poll.Short, "the first attempt never failed");

        // Killed mid-wait: only the stored retry time (and its reminder) can start the second attempt.
        await Server.RestartAsync(kill: true);
        var done = await Api.WaitForFinalAsync(id);
        Assert.Equal("Stop", done.Header("X-Task-STATE"));
        Assert.Equal(0, done.Code);
        Assert.Equal(2, Attempts(done, "flaky"));
        Assert.Equal(["attempt 2"], TaskApi.Lines(await Api.ConsoleAsync(id, "flaky")));
    }

    [Fact]
    public async Task Retry_InvalidField_IsRefusedNamingIt()
    {
        var answer = await Api.SubmitV1Async(Steps.Array(WithRetry(Steps.Of("true", name: "a"), new JsonObject { ["limit"] = 101 })));
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("step[0].retry.limit", answer.Message, StringComparison.Ordinal);

        var yaml = "id: retryyaml\nstep:\n  - name: a\n    command_type: bash\n    command_content: \"true\"\n    retry:\n      limit: 2\n      backoff: soon\n";
        var fromYaml = await Api.SendAsync(HttpMethod.Post, "/api/v2/task", yaml, "application/yaml");
        Assert.Equal(HttpStatusCode.BadRequest, fromYaml.Status);
        Assert.Contains("step[0].retry.backoff", fromYaml.Message, StringComparison.Ordinal);
    }
}
