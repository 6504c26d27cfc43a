using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RemoteExecutor.Api.OpenApi;

/// <summary>Title, introduction and tag descriptions: what a first-time reader of <c>/scalar</c> needs.</summary>
public sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    private const string Introduction = """
        RemoteExecutor runs shell, PowerShell and Python scripts on the machines where it is installed.
        You submit a **task** — a list of steps, run in order or wired as a DAG — and read its state and each
        step's console while it runs and after it ends. Every machine of a cluster answers for the whole fleet.

        **Token.** Every route that runs or reads anything needs `Authorization: Bearer <token>`. The token is in
        the file `data/token` under the service's root (by default `$TMPDIR/remote_executor/data/token`; the
        start-up log prints the path), or is the value given with `--token_file`. Paste it in the
        *Authentication* field of this page.

        **A first task.** Open *Submit a task* (`POST /api/v1/task`), keep the example body, set `id=hello`
        and send. The answer is immediate (the task runs in the background); then `GET /api/v1/task/hello`
        shows each step's state and `GET /api/v1/task/hello/{step}/console` its output.

        ```sh
        TOKEN=$(cat "${TMPDIR:-/tmp}/remote_executor/data/token")
        curl -sS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
          -X POST 'http://localhost:2376/api/v1/task?id=hello' \
          -d '[{"name":"a","command_type":"bash","command_content":"echo hello from $TASK_ID"}]' | jq
        ```

        Every answer is an envelope `{code, message, timestamp, data}`: `code` 0 success, 1001 running,
        1002 failed, 1004 pending, 1005 paused, 1000 bad input, 1003 not found, 500 internal. States: 0 stop,
        1 running, 2 pending, 3 paused, 4 skipped, -255 killed, -256 timeout, -999 system error.
        """;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "RemoteExecutor API";
        document.Info.Description = Introduction;
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Tasks", Description = "Submit, list, read, kill; the console of each step." },
            new() { Name = "Shortcuts", Description = "The root routes of the original tool; same answers as their /api/v1/task twins." },
            new() { Name = "Pool", Description = "The worker pool of a node: how many steps run at once." },
            new() { Name = "Cluster", Description = "The nodes of the cluster." },
            new() { Name = "Plugins", Description = "The step kinds of this node beside the script types: built-in and plugins." },
            new() { Name = "Audit", Description = "Who submitted, killed or resized what." },
            new() { Name = "System", Description = "Probes (open, no token) and host state." },
        };
        return Task.CompletedTask;
    }
}
