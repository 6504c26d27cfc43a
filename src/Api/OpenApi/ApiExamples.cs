using System.Text.Json.Nodes;

namespace RemoteExecutor.Api.OpenApi;

/// <summary>Realistic request bodies and answers shown in the OpenAPI document (and so in Scalar's forms).</summary>
public static class ApiExamples
{
    private const long Timestamp = 1796097554679119600;

    /// <summary>A v1 body: the steps array.</summary>
    public static JsonNode V1Steps() => new JsonArray(
        Step("fetch", "bash", "echo \"fetching for $TASK_ID\"; echo \"version=1.4.2\" >> \"$TASK_STEP_OUTPUT\"", null),
        WithRetry(Step("build", "bash", "echo \"building $TASK_OUTPUT_FETCH_VERSION\"; make", ["fetch"])),
        Step("report", "python3", "import os\nprint('done', os.environ['TASK_ID'])", ["build"]),
        Step("cleanup", "bash", "echo cleaning up after a failure", ["build"], "on_failure"));

    /// <summary>A v2 body: the whole task.</summary>
    public static JsonNode V2Task() => new JsonObject
    {
        ["id"] = "deploy42",
        ["timeout"] = "30m",
        ["env_vars"] = new JsonArray("STAGE=prod", "SECRET:API_KEY=s3cr3t-value"),
        ["async"] = true,
        ["max_parallel"] = 2,
        ["delay"] = "10s",
        ["step"] = V1Steps(),
    };

    /// <summary>A v2 body of a fan-out: the whole task on every live node labelled role=web, two nodes at a time.</summary>
    public static JsonNode V2FanOut() => new JsonObject
    {
        ["id"] = "patch42",
        ["timeout"] = "30m",
        ["targets"] = new JsonObject
        {
            ["labels"] = new JsonObject { ["role"] = "web" },
            ["max_parallel"] = 2,
            ["max_errors"] = "10%",
        },
        ["step"] = new JsonArray(
            Step("update", "bash", "apt-get -y upgrade openssl && echo \"$TASK_NODE patched\"", null),
            Step("check", "bash", "openssl version", ["update"])),
    };

    /// <summary>The detail of that fan-out while it runs: each step on every node (<c>nodes</c>), and one run per node (<c>runs</c>).</summary>
    public static JsonNode FanOutDetail()
    {
        var envelope = Envelope(1001, "currently executing on 2 nodes (1 of 3 done): [Node: web2], [Node: web3]", new JsonArray(
            FanOutStep("update", 0, 1, "web1: web1 patched; web2: web2 patched; web3: ", ["web1", 0, 0, "web1 patched"], ["web2", 0, 0, "web2 patched"], ["web3", 1, 0, ""]),
            FanOutStep("check", 0, 1, "web1: OpenSSL 3.0.15; web2: ; web3: pending", ["web1", 0, 0, "OpenSSL 3.0.15"], ["web2", 1, 0, ""], ["web3", 2, 0, "pending"])));
        envelope["runs"] = new JsonArray(
            Run("web1", 0, 0, "all steps executed successfully", "2026-12-01T10:15:02.120Z", "2026-12-01T10:15:41.905Z"),
            Run("web2", 1, 0, "currently executing: [Step: check]", "2026-12-01T10:15:02.131Z", ""),
            Run("web3", 1, 0, "currently executing: [Step: update]", "2026-12-01T10:15:41.917Z", ""));
        return envelope;
    }

    /// <summary>A v2 task as a YAML file (the <c>application/yaml</c> body).</summary>
    public static JsonNode V2TaskYaml() => JsonValue.Create("""
        id: hello
        timeout: 10m
        env_vars: [GREETING=hello]
        async: true
        step:
          - name: greet
            command_type: bash
            command_content: |
              echo "$GREETING from $(hostname)"
              echo "host=$(hostname)" >> "$TASK_STEP_OUTPUT"
            retry: {limit: 2, backoff: 5s, max_backoff: 30s}
          - name: after
            command_type: python3
            depends_on: [greet]
            command_content: |
              import os
              print("workspace:", os.getcwd(), "greeted on", os.environ["TASK_OUTPUT_GREET_HOST"])
        """ + "\n");

    /// <summary>A pool resize body.</summary>
    public static JsonNode PoolResize() => new JsonObject { ["size"] = 8 };

    /// <summary>An envelope around <paramref name="data"/>.</summary>
    public static JsonNode Envelope(int code, string message, JsonNode? data) => new JsonObject
    {
        ["code"] = code,
        ["message"] = message,
        ["timestamp"] = Timestamp,
        ["data"] = data,
    };

    /// <summary>The success answer of an operation, by operation id; null when there is no specific example.</summary>
    public static JsonNode? Success(string operationId) => operationId switch
    {
        "SubmitTask" or "SubmitTaskRoot" or "SubmitTaskV2" => Envelope(0, "success", new JsonObject
        {
            ["url"] = "http://localhost:2376/api/v1/task/deploy42",
            ["id"] = "deploy42",
            ["count"] = 3,
        }),
        "ListTasks" or "ListTasksRoot" => Envelope(0, "success", new JsonObject
        {
            ["total"] = 1,
            ["tasks"] = new JsonArray(new JsonObject
            {
                ["id"] = "deploy42",
                ["code"] = 0,
                ["state"] = 0,
                ["manager"] = "http://localhost:2376/api/v1/task/deploy42",
                ["workspace"] = "http://localhost:2376/api/v1/task/deploy42/workspace",
                ["msg"] = "all steps executed successfully",
                ["env_vars"] = new JsonArray("STAGE=prod", "API_KEY=***"),
                ["timeout"] = "30m0s",
                ["count"] = 3,
                ["node"] = "web1",
                ["times"] = Times("2026-12-01 10:15:02", "2026-12-01 10:15:09"),
            }),
        }),
        "TaskDetail" or "TaskDetailRoot" => Envelope(1001, "currently executing: [Step: build]", new JsonArray(
            Detail("fetch", 0, 0, "fetching for deploy42", Times("2026-12-01 10:15:02", "2026-12-01 10:15:03"), outputs: new JsonObject { ["version"] = "1.4.2" }),
            Detail("build", 0, 1, "", Times("2026-12-01 10:15:03", ""), attempts: 2),
            Detail("report", 0, 2, "", Times("", "")))),
        "StepConsole" or "StepConsoleRoot" => Envelope(0, "success", new JsonArray(
            Line(1, "building"),
            Line(2, "total 8"))),
        "GetPool" or "ResizePool" => Envelope(0, "success", new JsonObject
        {
            ["size"] = 8,
            ["total"] = 1250,
            ["running"] = 2,
            ["waiting"] = 0,
        }),
        "KillStep" or "DeleteWorkspacePath" => Envelope(0, "success", null),
        "KillTask" => Envelope(0, "task paused: no new step starts; 1 step already running go on", null),
        "TaskWorkspace" => Envelope(0, "success", new JsonArray(
            WorkspaceEntry("out", true, 0), WorkspaceEntry("out/report.txt", false, 1834))),
        "UploadWorkspaceFile" => Envelope(0, "success", WorkspaceEntry("in/app.tar.gz", false, 5242880)),
        "Healthyz" => Envelope(0, "success", new JsonObject
        {
            ["server"] = "web1 localhost:2376",
            ["client"] = "127.0.0.1",
            ["state"] = "Running",
            ["auth"] = "on",
        }),
        _ => null,
    };

    /// <summary>An error answer for an HTTP status.</summary>
    public static JsonNode Error(int status) => status switch
    {
        400 => Envelope(1000, "step 2 (build): command_type \"bsh\" is not supported; use one of bash, sh, python3, ...", null),
        401 => Envelope(1000, "a token is required: send the header Authorization: Bearer <token>", null),
        404 => Envelope(1003, "task deploy42 not found", null),
        405 => Envelope(1000, "method DELETE is not allowed here; allowed: GET", null),
        409 => Envelope(1000, "task deploy42 is still running; kill it or wait for it to finish before submitting it again", null),
        413 => Envelope(1000, "the request body is larger than 10 MiB", null),
        415 => Envelope(1000, "Content-Type must be application/json", null),
        429 => Envelope(1000, "too many concurrent requests", null),
        503 => Envelope(500, "the server is shutting down and accepts no new tasks", null),
        _ => Envelope(500, "the task could not be stored; nothing was started", null),
    };

    private static JsonObject WorkspaceEntry(string path, bool dir, long size) => new()
    {
        ["path"] = path,
        ["dir"] = dir,
        ["size"] = size,
        ["modified"] = "2026-11-02 10:15:04",
    };

    private static JsonObject Step(string name, string type, string content, string[]? dependsOn, string? when = null)
    {
        var step = new JsonObject
        {
            ["name"] = name,
            ["command_type"] = type,
            ["command_content"] = content,
            ["timeout"] = "10m",
        };
        if (dependsOn is not null)
        {
            step["depends_on"] = new JsonArray([.. dependsOn.Select(d => (JsonNode)d)]);
        }

        if (when is not null)
        {
            step["when"] = when;
        }

        return step;
    }

    /// <summary>Adds a retry field: 3 retries of exit code 1 or 75, waiting 2s, 4s, 8s (at most 1m).</summary>
    private static JsonObject WithRetry(JsonObject step)
    {
        step["retry"] = new JsonObject
        {
            ["limit"] = 3,
            ["backoff"] = "2s",
            ["max_backoff"] = "1m",
            ["on_exit_codes"] = new JsonArray(1, 75),
            ["on_timeout"] = true,
        };
        return step;
    }

    private static JsonObject Detail(string name, int code, int state, string msg, JsonNode times, int attempts = 1, JsonObject? outputs = null) => new()
    {
        ["name"] = name,
        ["code"] = code,
        ["state"] = state,
        ["manager"] = $"http://localhost:2376/api/v1/task/deploy42/{name}/console",
        ["workspace"] = "http://localhost:2376/api/v1/task/deploy42/workspace",
        ["msg"] = msg,
        ["timeout"] = "10m0s",
        ["depends_on"] = new JsonArray(),
        ["command_type"] = "bash",
        ["env_vars"] = new JsonArray(),
        ["command_content"] = "echo building; ls -la",
        ["times"] = times,
        ["when"] = "on_success",
        ["attempts"] = attempts,
        ["outputs"] = outputs ?? new JsonObject(),
    };

    private static JsonObject FanOutStep(string name, int code, int state, string msg, params object[][] nodes)
    {
        var step = Detail(name, code, state, msg, Times("2026-12-01 10:15:02", ""));
        step["manager"] = $"http://localhost:2376/api/v1/task/patch42/{name}/console";
        step["workspace"] = "http://localhost:2376/api/v1/task/patch42/workspace";
        step["nodes"] = new JsonArray([.. nodes.Select(n => (JsonNode)new JsonObject
        {
            ["node"] = (string)n[0],
            ["state"] = (int)n[1],
            ["code"] = (int)n[2],
            ["msg"] = (string)n[3],
        })]);
        return step;
    }

    private static JsonObject Run(string node, int state, int code, string msg, string start, string end) => new()
    {
        ["node"] = node,
        ["state"] = state,
        ["code"] = code,
        ["msg"] = msg,
        ["start_time"] = start,
        ["end_time"] = end,
        ["result"] = state switch { 0 when code == 0 => 0, 1 => 1001, 2 or 3 => 1004, _ => 1002 },
    };

    private static JsonObject Line(int line, string content) => new()
    {
        ["timestamp"] = Timestamp + (line * 1000),
        ["line"] = line,
        ["content"] = content,
    };

    private static JsonObject Times(string st, string et) => new() { ["st"] = st, ["et"] = et };
}
