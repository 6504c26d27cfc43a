using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Plugins;

/// <summary>Step kinds beside scripts: the http built-in, a .NET plugin, an executable plugin, and what is refused.</summary>
public sealed class PluginTests : IClassFixture<PluginServerFixture>
{
    private readonly PluginServerFixture _fixture;

    public PluginTests(PluginServerFixture fixture) => _fixture = fixture;

    private TaskApi Api => _fixture.Server.Api;

    private static JsonObject Kind(string type, string content, JsonObject? with = null, string? name = null, string? timeout = null, string[]? env = null)
    {
        var step = Steps.Of(content, name: name ?? "k", type: type, timeout: timeout, env: env);
        if (with is not null)
        {
            step["with"] = with;
        }

        return step;
    }

    private static int State(ApiAnswer detail, string step = "k") => detail.Step(step).GetProperty("state").GetInt32();

    private static int Code(ApiAnswer detail, string step = "k") => detail.Step(step).GetProperty("code").GetInt32();

    private static string Msg(ApiAnswer detail, string step = "k") => detail.Step(step).GetProperty("msg").GetString() ?? "";

    [Fact]
    public async Task Plugins_Listed_WithVersionAndSource_BrokenAndCollidingOnesSkippedAndTheSiloUp()
    {
        var answer = await Api.GetAsync("/api/v1/plugins");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var kinds = answer.Data.EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!, k => k);
        Assert.Equal("built-in", kinds["http"].GetProperty("kind").GetString());
        Assert.Equal("built-in", kinds["http"].GetProperty("source").GetString());
        Assert.Equal("dotnet", kinds["echo"].GetProperty("kind").GetString());
        Assert.StartsWith("1.2.0", kinds["echo"].GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Equal(_fixture.EchoDll, kinds["echo"].GetProperty("source").GetString());
        Assert.Equal("executable", kinds["bashkind"].GetProperty("kind").GetString());
        Assert.DoesNotContain(kinds.Values, k => k.GetProperty("source").GetString()!.Contains("broken", StringComparison.Ordinal));
        Assert.Single(kinds.Values, k => k.GetProperty("name").GetString() == "http");
        Assert.True(_fixture.Server.LogContains("broken skipped"), _fixture.Server.ReadLog());
        Assert.True(_fixture.Server.LogContains("is taken by a built-in kind"), _fixture.Server.ReadLog());
    }

    [Fact]
    public async Task Plugins_WithoutToken_Refused()
    {
        using var anonymous = new HttpClient { BaseAddress = _fixture.Server.BaseAddress };
        var response = await anonymous.GetAsync(new Uri("/api/v1/plugins", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Submit_UnknownKind_RefusedListingScriptsAndKinds()
    {
        var answer = await Api.SubmitV1Async(Steps.Array(Kind("nosuchkind", "x")), $"id={Ids.New("unknown")}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1000, answer.Code);
        foreach (var name in new[] { "\"nosuchkind\"", "bash", "python3", "http", "echo", "bashkind" })
        {
            Assert.Contains(name, answer.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Submit_KindRefusesItsSettings_400NamingTheStep()
    {
        var answer = await Api.SubmitV1Async(Steps.Array(Kind("echo", "x", new JsonObject { ["exit_code"] = "three" })), $"id={Ids.New("badwith")}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("step[0]: echo: with.exit_code must be a whole number", answer.Message, StringComparison.Ordinal);
        var http = await Api.SubmitV1Async(Steps.Array(Kind("http", "ftp://example.com/")), $"id={Ids.New("badurl")}");
        Assert.Equal(HttpStatusCode.BadRequest, http.Status);
        Assert.Contains("not an absolute http or https URL", http.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DotNetPlugin_Step_ConsoleAndCodeAndSecretsMasked_InADagWithScripts()
    {
        var id = Ids.New("echo");
        const string Secret = "s3cr3t-plugin-value";
        var detail = await Api.RunAsync(id, Steps.Array(
            Kind("echo", $"hello from echo\nthe secret is {Secret}", new JsonObject { ["env"] = Steps.Strings("TOKEN", "PLAIN"), ["exit_code"] = 3 },
                env: [$"SECRET:TOKEN={Secret}", "PLAIN=visible"]),
            Steps.Of("echo never", name: "after")));

        Assert.Equal(3, Code(detail));
        Assert.Equal(4, State(detail, "after"));
        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "k"));
        Assert.Equal(["hello from echo", "the secret is ***", "TOKEN=***", "PLAIN=visible"], lines);
    }

    [Fact]
    public async Task DotNetPlugin_Steps_WaitForAPoolSlotLikeScripts()
    {
        var before = (await Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32();
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Post, "/api/v1/pool", """{"size":1}""")).Status);
        try
        {
            var id = Ids.New("echopool");
            await Api.SubmitOkAsync(id, Steps.Array(
                Kind("echo", "one", new JsonObject { ["sleep_ms"] = 1500 }, name: "a"),
                Kind("echo", "two", new JsonObject { ["sleep_ms"] = 1500 }, name: "b")), "async=true");

            // Both are handed to the executor at once; the pool of one lets a single plugin step run.
            await Poll.UntilAsync(
                async () =>
                {
                    var pool = (await Api.GetAsync("/api/v1/pool")).Data;
                    return pool.GetProperty("running").GetInt32() == 1 && pool.GetProperty("waiting").GetInt32() == 1;
                },
                Poll.Short,
                "two plugin steps never showed as one running and one waiting in a pool of one");
            var detail = await Api.WaitForFinalAsync(id);
            Assert.Equal(0, State(detail, "a"));
            Assert.Equal(0, State(detail, "b"));
        }
        finally
        {
            await Api.SendAsync(HttpMethod.Post, "/api/v1/pool", $$"""{"size":{{before}}}""");
        }
    }

    [Fact]
    public async Task DotNetPlugin_KilledAndTimedOut_StopLikeScripts()
    {
        var killed = Ids.New("echokill");
        await Api.SubmitOkAsync(killed, Steps.Array(Kind("echo", "waiting", new JsonObject { ["sleep_ms"] = 600_000 })));
        await Api.WaitForStepRunningAsync(killed, "k");
        Assert.Equal(HttpStatusCode.OK, (await Api.KillTaskAsync(killed)).Status);
        Assert.Equal(-255, State(await Api.WaitForFinalAsync(killed)));

        var slow = Ids.New("echotimeout");
        var detail = await Api.RunAsync(slow, Steps.Array(Kind("echo", "waiting", new JsonObject { ["sleep_ms"] = 600_000 }, timeout: "300ms")));
        Assert.Equal(-256, State(detail));
        Assert.Contains("timed out", Msg(detail), StringComparison.Ordinal);
        Assert.Equal(["waiting"], TaskApi.Lines(await Api.ConsoleAsync(slow, "k")));
    }

    [Fact]
    public async Task ExecutablePlugin_GetsStepOnStdinAndEnv_OutputIsConsole_ExitCodeIsCode()
    {
        var id = Ids.New("exe");
        const string Secret = "exe-secret-value";
        var detail = await Api.RunAsync(id, Steps.Array(Kind("bashkind", "fail", new JsonObject { ["answer"] = 42 }, env: [$"SECRET:TOKEN={Secret}"])));

        Assert.Equal(4, Code(detail));
        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "k"));
        var stdin = JsonDocument.Parse(lines[0]["stdin: ".Length..]).RootElement;
        Assert.Equal("fail", stdin.GetProperty("command_content").GetString());
        Assert.Equal(42, stdin.GetProperty("with").GetProperty("answer").GetInt32());
        Assert.Equal("k", stdin.GetProperty("step").GetString());
        Assert.DoesNotContain(Secret, string.Join("\n", lines), StringComparison.Ordinal);
        Assert.Equal("token: ***", lines[1]);
        Assert.Equal($"workspace: {Path.Combine(_fixture.Server.Root, "workspace", id)}", lines[2]);
        Assert.Equal("to stderr", lines[3]);
    }

    [Fact]
    public async Task ExecutablePlugin_Killed_ItsWholeProcessGroupDies()
    {
        var id = Ids.New("exekill");
        await Api.SubmitOkAsync(id, Steps.Array(Kind("bashkind", "wait")));
        await Api.WaitForStepRunningAsync(id, "k");
        await Poll.UntilAsync(async () => await HostProcesses.CountAsync(PluginServerFixture.SleepMarker) > 0, Poll.Short, "the plugin's child never started");

        Assert.Equal(HttpStatusCode.OK, (await Api.KillTaskAsync(id)).Status);

        Assert.Equal(-255, State(await Api.WaitForFinalAsync(id)));
        await Poll.UntilAsync(async () => await HostProcesses.CountAsync(PluginServerFixture.SleepMarker) == 0, TimeSpan.FromSeconds(10),
            "the executable plugin's child outlived the killed step");
    }

    [Fact]
    public async Task Http_Success_ConsoleHasStatusHeadersAndBody()
    {
        await using var web = new LocalHttpServer();
        var id = Ids.New("httpok");
        var detail = await Api.RunAsync(id, Steps.Array(Kind("http", "", new JsonObject
        {
            ["url"] = web.Url("/ok"),
            ["method"] = "post",
            ["body"] = "payload",
            ["headers"] = new JsonObject { ["X-Sent"] = "1" },
        })));

        Assert.Equal(0, Code(detail));
        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "k"));
        Assert.Equal("HTTP/1.1 200 OK", lines[0]);
        Assert.Contains("X-Test: yes", lines);
        Assert.Equal(["line one", "line two", "method POST body payload"], lines[^3..]);
    }

    [Fact]
    public async Task Http_FromAYamlTaskFile_WithMappingApplies()
    {
        await using var web = new LocalHttpServer();
        var id = Ids.New("httpyaml");
        var yaml = $"""
            id: {id}
            step:
              - name: k
                command_type: http
                with:
                  url: {web.Url("/fail")}
                  expected_status: [500]
            """;
        var answer = await Api.SendAsync(HttpMethod.Post, "/api/v2/task", yaml, "application/yaml");
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());

        Assert.Equal(0, Code(await Api.WaitForFinalAsync(id)));
    }

    [Fact]
    public async Task Http_UnexpectedStatus_Code1_ExpectedListAccepted()
    {
        await using var web = new LocalHttpServer();
        var id = Ids.New("httpfail");
        var detail = await Api.RunAsync(id, Steps.Array(
            Kind("http", web.Url("/fail"), name: "plain"),
            Kind("http", web.Url("/fail"), new JsonObject { ["expected_status"] = new JsonArray(500, 503) }, name: "tolerant")),
            "async=true");

        Assert.Equal(1, Code(detail, "plain"));
        Assert.Equal(["boom", "[http: unexpected HTTP status 500 (expected 2xx)]"], TaskApi.Lines(await Api.ConsoleAsync(id, "plain"))[^2..]);
        Assert.Equal(0, Code(detail, "tolerant"));
    }

    [Fact]
    public async Task Http_StepTimeout_Minus256()
    {
        await using var web = new LocalHttpServer();
        var id = Ids.New("httptimeout");
        var detail = await Api.RunAsync(id, Steps.Array(Kind("http", web.Url("/hang/t"), timeout: "500ms")));

        Assert.Equal(-256, State(detail));
    }

    [Fact]
    public async Task Http_KilledMidRequest_Minus255()
    {
        await using var web = new LocalHttpServer();
        var id = Ids.New("httpkill");
        await Api.SubmitOkAsync(id, Steps.Array(Kind("http", web.Url("/hang/k"))));
        await web.Arrived("k").WaitAsync(Poll.Short);

        Assert.Equal(HttpStatusCode.OK, (await Api.KillStepAsync(id, "k")).Status);

        Assert.Equal(-255, State(await Api.WaitForFinalAsync(id)));
    }

    /// <summary>Prints a line, the workspace file input.txt and its environment (NULs as newlines), then exits 7.</summary>
    private const string HelloWat = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hello from wasm\n")
          (data (i32.const 48) "input.txt")
          (func $print (param $ptr i32) (param $len i32)
            (i32.store (i32.const 0) (local.get $ptr))
            (i32.store (i32.const 4) (local.get $len))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
          (func (export "_start") (local $i i32) (local $size i32)
            (call $print (i32.const 16) (i32.const 16))
            (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 48) (i32.const 9) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))
            (i32.store (i32.const 32) (i32.const 1024))
            (i32.store (i32.const 36) (i32.const 1024))
            (drop (call $fd_read (i32.load (i32.const 64)) (i32.const 32) (i32.const 1) (i32.const 68)))
            (call $print (i32.const 1024) (i32.load (i32.const 68)))
            (drop (call $environ_sizes_get (i32.const 72) (i32.const 76)))
            (drop (call $environ_get (i32.const 4096) (i32.const 8192)))
            (local.set $size (i32.load (i32.const 76)))
            (block $done (loop $next
              (br_if $done (i32.ge_u (local.get $i) (local.get $size)))
              (if (i32.eqz (i32.load8_u (i32.add (i32.const 8192) (local.get $i))))
                (then (i32.store8 (i32.add (i32.const 8192) (local.get $i)) (i32.const 10))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $next)))
            (call $print (i32.const 8192) (local.get $size))
            (call $proc_exit (i32.const 7))))
        """;

    private const string SpinWat = "(module (memory (export \"memory\") 1) (func (export \"_start\") (loop $spin (br $spin))))";

    private static JsonObject WriteFile(string name, string content, string step) =>
        Steps.Of($"cat > {name} <<'WAT_EOF'\n{content}\nWAT_EOF", name: step);

    [Fact]
    public async Task Wasm_Module_PrintsReadsWorkspaceFileAndEnv_ExitCodeIsCode_SecretsMasked()
    {
        var id = Ids.New("wasm");
        const string Secret = "wasm-secret-value";
        var detail = await Api.RunAsync(id, Steps.Array(
            WriteFile("input.txt", "from the workspace", "files"),
            WriteFile("hello.wat", HelloWat, "module"),
            Kind("wasm", "hello.wat", env: ["GREETING=hi", $"SECRET:TOKEN={Secret}"])));

        Assert.Equal(7, Code(detail));
        var lines = TaskApi.Lines(await Api.ConsoleAsync(id, "k"));
        Assert.Equal(["hello from wasm", "from the workspace"], lines[..2]);
        Assert.Contains("GREETING=hi", lines);
        Assert.Contains("TOKEN=***", lines);
        Assert.Contains($"TASK_ID={id}", lines);
        Assert.DoesNotContain(lines, l => l.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wasm_SpinningModule_KilledAndTimedOut()
    {
        var killed = Ids.New("wasmkill");
        await Api.SubmitOkAsync(killed, Steps.Array(WriteFile("spin.wat", SpinWat, "module"), Kind("wasm", "spin.wat")));
        await Api.WaitForStepRunningAsync(killed, "k");
        Assert.Equal(HttpStatusCode.OK, (await Api.KillStepAsync(killed, "k")).Status);
        Assert.Equal(-255, State(await Api.WaitForFinalAsync(killed)));

        var slow = Ids.New("wasmtimeout");
        var detail = await Api.RunAsync(slow, Steps.Array(WriteFile("spin.wat", SpinWat, "module"), Kind("wasm", "spin.wat", timeout: "500ms")));
        Assert.Equal(-256, State(detail));
        Assert.DoesNotContain("did not stop within the kill grace", _fixture.Server.ReadLog(), StringComparison.Ordinal);
    }
}
