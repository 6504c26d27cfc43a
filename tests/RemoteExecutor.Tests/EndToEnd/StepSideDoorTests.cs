using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Issue 19: no credential reaches a step, output stays bounded, secrets stay masked, the audit log stays small.</summary>
public sealed class StepSideDoorTests : IClassFixture<SideDoorServerFixture>
{
    private const string Marker = "…[line continues]";

    private readonly ServerProcess _server;

    public StepSideDoorTests(SideDoorServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    [Fact]
    public async Task Env_StepOfAServerStartedWithItsCredentialsInTheEnvironment_SeesNoneOfThem()
    {
        var id = Ids.New("env");
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("env", name: "show", env: ["REMOTE_EXECUTOR_MODE=given-by-submitter"])));
        Assert.Equal(0, detail.Code);

        var console = await Api.ConsoleAsync(id, "show");
        var lines = TaskApi.Lines(console);
        Assert.Contains("RE_TEST_HOST_ONLY=from-host", lines);
        Assert.Contains("REMOTE_EXECUTOR_MODE=given-by-submitter", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("REMOTE_EXECUTOR_", StringComparison.Ordinal) && l != "REMOTE_EXECUTOR_MODE=given-by-submitter");
        foreach (var value in SideDoorServerFixture.ServiceEnv.Where(e => e.Key.StartsWith("REMOTE_EXECUTOR_", StringComparison.Ordinal)).Select(e => e.Value))
        {
            Assert.DoesNotContain(value, console.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Console_LineLongerThanMaxLine_IsStoredInMarkedPiecesThatAddUpToIt()
    {
        var id = Ids.New("longline");
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("head -c 10000 /dev/zero | tr '\\0' a; echo; echo next", name: "long")));
        Assert.Equal(0, detail.Code);

        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "long"));
        Assert.Equal(4, lines.Count);
        Assert.All(lines.Take(2), l => Assert.EndsWith(Marker, l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(Encoding.UTF8.GetByteCount(l.Replace(Marker, "", StringComparison.Ordinal)) <= SideDoorServerFixture.MaxLine));
        Assert.Equal(new string('a', 10000), string.Concat(lines.Take(3)).Replace(Marker, "", StringComparison.Ordinal));
        Assert.Equal("next", lines[3]);
    }

    [Fact]
    public async Task Console_OutputBeyondMaxOutput_IsDroppedWithANoteAndTheStepKeepsItsExitCode()
    {
        var id = Ids.New("maxout");
        const int Printed = 3_000_000;
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of($"head -c {Printed} /dev/zero | tr '\\0' b | fold -w 99; echo after-the-flood; exit 3", name: "flood")));
        Assert.Equal(3, detail.Step("flood").GetProperty("code").GetInt32());

        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "flood"));
        var kept = lines.Take(lines.Count - 1).Sum(l => (long)Encoding.UTF8.GetByteCount(l) + 1);
        Assert.InRange(kept, SideDoorServerFixture.MaxOutput - 100, SideDoorServerFixture.MaxOutput + 1); // +1: the cut line has no newline
        Assert.DoesNotContain("after-the-flood", lines);
        var note = lines[^1];
        Assert.Contains("--max_output", note, StringComparison.Ordinal);
        var dropped = Printed + (Printed / 99) + "after-the-flood\n".Length - SideDoorServerFixture.MaxOutput;
        Assert.Contains($"{dropped} further bytes were dropped", note, StringComparison.Ordinal);
        Assert.EndsWith(note, detail.Step("flood").GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Masking_EverySecretOfTheTask_IsMaskedInEveryStepAcrossLinesAndCuts()
    {
        var id = Ids.New("mask");
        const string TaskSecret = "task-secret-Qw7Rt";
        const string StepSecret = "step-secret-Zx9Yu";
        const string Pem = "-----BEGIN TEST KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7\nAgEAAkEAq7BFUpkGp3+XQn1dA6RK0LdA9wz8bnqb\n-----END TEST KEY-----";
        var task = new JsonObject
        {
            ["id"] = id,
            ["env_vars"] = Steps.Strings($"SECRET:TASK_KEY={TaskSecret}", $"SECRET:PEM={Pem}"),
            ["step"] = Steps.Array(
                Steps.Of("echo \"own: $STEP_KEY\"; echo \"$STEP_KEY\" > handed-over", name: "owner", env: [$"SECRET:STEP_KEY={StepSecret}"]),
                Steps.Of(
                    "echo \"other: $(cat handed-over)\"; echo \"task: $TASK_KEY\"; printf '%s\\n' \"$PEM\"; echo \"$PEM\" | tail -n 2; " +
                    // The secret straddles the 4 KiB cut of a long line.
                    "printf '%4090s%s%s\\n' '' \"$TASK_KEY\" tail",
                    name: "reader")),
        };
        Assert.Equal(0, (await Api.SubmitV2Async(task)).Code);
        var detail = await Api.WaitForFinalAsync(id);
        Assert.Equal(0, detail.Code);

        var owner = await Api.ConsoleAsync(id, "owner");
        var reader = await Api.ConsoleAsync(id, "reader");
        Assert.Equal(["own: ***"], TaskApi.Lines(owner));
        var lines = TaskApi.Lines(reader);
        Assert.Equal("other: ***", lines[0]);
        Assert.Equal("task: ***", lines[1]);
        Assert.Equal(["***", "***", "***", "***", "***", "***"], lines.Skip(2).Take(6));
        Assert.EndsWith(Marker, lines[8], StringComparison.Ordinal);
        Assert.Equal(new string(' ', 4090) + "***tail", string.Concat(lines.Skip(8)).Replace(Marker, "", StringComparison.Ordinal));

        var everything = owner.Body + reader.Body + detail.Body;
        foreach (var secret in new[] { TaskSecret, StepSecret }.Concat(Pem.Split('\n')))
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Qw7Rt", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_SecretShorterThanFourCharacters_IsRefusedNamingTheVariable()
    {
        var answer = await Api.SubmitV1Async(Steps.Array(Steps.Of("true", env: ["SECRET:PIN=123"])), $"id={Ids.New("shortsecret")}");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.Contains("PIN", answer.Message, StringComparison.Ordinal);
        Assert.Contains("shorter than 4", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_RefusedHugeSubmitAndControlCharacters_AreStoredCutAndEscaped()
    {
        var huge = "x" + new string('y', 9 << 20);
        var refused = await Api.SubmitV1Async(Steps.Array(Steps.Of("true", type: huge)), $"id={Ids.New("hugeaudit")}");
        Assert.Equal(1000, refused.Code);
        var control = await Api.SubmitV1Async(Steps.Array(Steps.Of("true", type: "evil\nline\r\u001b[31mred\u0007")), $"id={Ids.New("ctlaudit")}");
        Assert.Equal(1000, control.Code);

        var audit = await Api.GetAsync("/api/v1/audit?size=10");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        Assert.True(audit.Body.Length < 64 * 1024, $"the audit page is {audit.Body.Length} characters long");
        var outcomes = audit.Data.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("outcome").GetString()!).ToList();
        var cut = Assert.Single(outcomes, o => o.Contains("xyyy", StringComparison.Ordinal));
        Assert.True(Encoding.UTF8.GetByteCount(cut) <= 1100, $"outcome of {cut.Length} characters");
        Assert.Contains("bytes in all]", cut, StringComparison.Ordinal);
        var escaped = Assert.Single(outcomes, o => o.Contains("evil", StringComparison.Ordinal));
        Assert.Contains("evil\\nline\\r\\u001b[31mred\\u0007", escaped, StringComparison.Ordinal);
        Assert.DoesNotContain(escaped, c => char.IsControl(c));
    }
}
