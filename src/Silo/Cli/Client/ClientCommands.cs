using System.CommandLine;
using System.Text.Json;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Endpoints;
using Spectre.Console;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>
/// The client commands of the executable: <c>submit</c>, <c>ls</c>, <c>get</c>, <c>logs</c>, <c>kill</c>, <c>pause</c>, <c>resume</c>, <c>pool</c>,
/// <c>nodes</c>. They share the root's <c>--token</c>, <c>--token_file</c>, <c>--root</c> and <c>--node</c> and add
/// <c>--url</c> and <c>-o</c>.
/// </summary>
public static class ClientCommands
{
    /// <summary>How often <c>--follow</c> asks for news.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(300);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The root options the client commands read.</summary>
    public sealed record Shared(Option<string?> Token, Option<string?> TokenFile, Option<string> Root, Option<string> Node);

    public static void Add(RootCommand rootCommand, Shared shared)
    {
        var url = new Option<string?>("--url")
        {
            Description = $"server to talk to (also REMOTE_EXECUTOR_URL); default {ClientConnection.DefaultUrl}",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("REMOTE_EXECUTOR_URL") is { Length: > 0 } v ? v : null,
        };
        var output = new Option<string>("--output", "-o") { Description = "text (tables, default) or json (the answer's data, for scripts)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");

        Command Client(string name, string description, Func<Context, CancellationToken, Task<int>> action, params Symbol[] symbols)
        {
            var command = new Command(name, description) { url, output };
            foreach (var symbol in symbols)
            {
                switch (symbol)
                {
                    case Option o:
                        command.Options.Add(o);
                        break;
                    case Argument a:
                        command.Arguments.Add(a);
                        break;
                }
            }

            command.SetAction(async (result, ct) =>
            {
                var (connection, error) = ClientConnection.Resolve(result.GetValue(url), result.GetValue(shared.Token), result.GetValue(shared.TokenFile), result.GetValue(shared.Root)!);
                if (connection is null)
                {
                    await Console.Error.WriteLineAsync($"remote_executor: error: {error}");
                    return CommandLine.UsageError;
                }

                using var api = new ApiClient(connection);
                var node = result.GetResult(shared.Node) is { Implicit: false } given ? given.GetValueOrDefault<string>() : null;
                var context = new Context(result, api, result.GetValue(output) == "json", node);
                try
                {
                    return await action(context, ct);
                }
                catch (ClientException ex)
                {
                    await Console.Error.WriteLineAsync($"remote_executor: error: {ex.Message}");
                    return ExitCodes.Failure;
                }
            });
            rootCommand.Subcommands.Add(command);
            return command;
        }

        var file = new Option<string>("--file", "-f") { Description = "task file: YAML (.yaml/.yml) or JSON (.json) in the v2 body's shape; - reads stdin", Required = true };
        var id = new Option<string?>("--id") { Description = "task id (overrides the file's)" };
        var follow = new Option<bool>("--follow") { Description = "follow the task: live step states and output; exit with 0 on success, else the task's code (1-255)" };
        Client("submit", "Submit a task file (POST /api/v2/task)", (c, ct) => SubmitAsync(c, c.Result.GetValue(file)!, c.Result.GetValue(id), c.Result.GetValue(follow), ct), file, id, follow);

        var state = new Option<string?>("--state") { Description = $"only tasks in this state: {string.Join(", ", StateStyle.FilterNames)}" };
        state.AcceptOnlyFromAmong([.. StateStyle.FilterNames, "system error"]);
        Client("ls", "List tasks (--node filters by node)", (c, ct) => ListAsync(c, c.Result.GetValue(state), ct), state);

        var task = new Argument<string>("TASK") { Description = "task id" };
        Client("get", "Show a task and its steps (a fan-out: also its runs by node; --node N: that node's run)", (c, ct) => GetAsync(c, c.Result.GetValue(task)!, ct), task);

        var logTask = new Argument<string>("TASK") { Description = "task id" };
        var logStep = new Argument<string>("STEP") { Description = "step name" };
        var logFollow = new Option<bool>("--follow", "-f") { Description = "keep printing new lines until the step ends; exit with its outcome" };
        Client("logs", "Print a step's console output (of a fan-out: --node N names the node's run)", (c, ct) => LogsAsync(c, c.Result.GetValue(logTask)!, c.Result.GetValue(logStep)!, c.Result.GetValue(logFollow), ct), logTask, logStep, logFollow);

        var killTask = new Argument<string>("TASK") { Description = "task id" };
        var killStep = new Argument<string?>("STEP") { Description = "only this step", Arity = ArgumentArity.ZeroOrOne };
        Client("kill", "Kill a task, or one of its steps", (c, ct) => ControlAsync(c, "kill", c.Result.GetValue(killTask)!, c.Result.GetValue(killStep), null, ct), killTask, killStep);

        var pauseTask = new Argument<string>("TASK") { Description = "task id" };
        var pauseStep = new Argument<string?>("STEP") { Description = "only this step (one that has not started)", Arity = ArgumentArity.ZeroOrOne };
        var duration = new Option<string?>("--duration") { Description = "end the pause by itself after this long (Go duration: 30s, 5m, 2h)" };
        Client("pause", "Pause a task (no new step starts; running ones go on), or one step that has not started",
            (c, ct) => ControlAsync(c, "pause", c.Result.GetValue(pauseTask)!, c.Result.GetValue(pauseStep), c.Result.GetValue(duration), ct), pauseTask, pauseStep, duration);

        var resumeTask = new Argument<string>("TASK") { Description = "task id" };
        var resumeStep = new Argument<string?>("STEP") { Description = "only this step", Arity = ArgumentArity.ZeroOrOne };
        Client("resume", "Resume a paused task, or a paused step",
            (c, ct) => ControlAsync(c, "resume", c.Result.GetValue(resumeTask)!, c.Result.GetValue(resumeStep), null, ct), resumeTask, resumeStep);

        var size = new Option<int?>("--size") { Description = "resize the pool to this many concurrent steps" };
        Client("pool", "Show (or with --size resize) a node's pool", (c, ct) => PoolAsync(c, c.Result.GetValue(size), ct), size);

        Client("nodes", "List the cluster's live nodes", NodesAsync);
    }

    /// <summary>What a client command runs with.</summary>
    public sealed record Context(ParseResult Result, ApiClient Api, bool Json, string? Node)
    {
        public HumanOutput Human { get; } = new(HumanOutput.CreateConsole());
    }

    private static async Task<int> SubmitAsync(Context c, string path, string? id, bool follow, CancellationToken ct)
    {
        var content = TaskFile.Read(path, id, c.Node);
        ApiReply reply;
        try
        {
            reply = await c.Api.SendAsync(HttpMethod.Post, "/api/v2/task", content, ct);
        }
        catch (ClientException ex)
        {
            throw new ClientException($"{(path == "-" ? "stdin" : path)}: {ex.Message}", ex);
        }

        var answer = reply.Read<SubmitAnswer>();
        if (!follow)
        {
            if (c.Json)
            {
                PrintJson(reply.Data);
            }
            else
            {
                c.Human.Console.WriteLine($"submitted task {answer.Id} ({answer.Count} steps): {answer.Url}");
            }

            return 0;
        }

        FollowOutcome outcome;
        if (c.Json)
        {
            outcome = await new TaskFollower(c.Api, new PlainFollowView(TextWriter.Null, true), PollInterval).FollowTaskAsync(answer.Id, ct);
            PrintJson(JsonSerializer.SerializeToElement(outcome.Steps));
            return outcome.ExitCode;
        }

        if (Console.IsOutputRedirected || !c.Human.Console.Profile.Capabilities.Interactive)
        {
            Console.WriteLine($"submitted task {answer.Id} ({answer.Count} steps), following");
            outcome = await new TaskFollower(c.Api, new PlainFollowView(Console.Out, true), PollInterval).FollowTaskAsync(answer.Id, ct);
        }
        else
        {
            var view = new LiveFollowView();
            outcome = null!;
            await c.Human.Console.Live(view.Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async live =>
            {
                view.Attach(live);
                outcome = await new TaskFollower(c.Api, view, PollInterval).FollowTaskAsync(answer.Id, ct);
            });
        }

        var colour = outcome.Succeeded ? "green" : "red";
        c.Human.Console.MarkupLine($"task [bold]{Markup.Escape(answer.Id)}[/]: [{colour}]{Markup.Escape(outcome.State)}, code {outcome.Code}[/] ({Markup.Escape(outcome.Message)})");
        return outcome.ExitCode;
    }

    private static async Task<int> ListAsync(Context c, string? state, CancellationToken ct)
    {
        var reply = await c.Api.GetAsync("/api/v1/task", ct);
        var list = reply.Read<TaskList>();
        var tasks = list.Tasks.Where(t => (state is null || StateStyle.Matches(t.State, state)) && (c.Node is null || t.Node == c.Node)).ToList();
        if (c.Json)
        {
            PrintJson(JsonSerializer.SerializeToElement(new TaskList(tasks.Count, tasks)));
        }
        else
        {
            c.Human.Tasks(tasks);
        }

        return 0;
    }

    private static async Task<int> GetAsync(Context c, string task, CancellationToken ct)
    {
        var query = c.Node is null ? "" : $"?node={ApiClient.Escape(c.Node)}";
        var reply = await c.Api.GetAsync($"/api/v1/task/{ApiClient.Escape(task)}{query}", ct);
        if (c.Json)
        {
            // A fan-out's answer has its runs beside the steps: both, under the envelope's names.
            PrintJson(reply.IsFanOut ? JsonSerializer.SerializeToElement(new { data = reply.Data, runs = reply.Runs }) : reply.Data);
        }
        else
        {
            c.Human.Task(c.Node is null ? task : $"{task} on node {c.Node}", reply, reply.Read<List<StepDetail>>());
            if (reply.IsFanOut)
            {
                c.Human.Runs(task, reply.Runs.Deserialize<List<RunDetail>>() ?? []);
            }
        }

        return 0;
    }

    private static async Task<int> LogsAsync(Context c, string task, string step, bool follow, CancellationToken ct)
    {
        var collected = new List<ConsoleLineDto>();
        IFollowView view = c.Json ? new CollectingView(collected) : new PlainFollowView(Console.Out, false);
        var follower = new TaskFollower(c.Api, view, PollInterval) { Node = c.Node };
        var exit = 0;
        if (follow)
        {
            exit = (await follower.FollowStepAsync(task, step, ct)).ExitCode;
        }
        else
        {
            await follower.ReadLinesAsync(task, step, ct);
        }

        if (c.Json)
        {
            PrintJson(JsonSerializer.SerializeToElement(collected));
        }

        return exit;
    }

    private static async Task<int> ControlAsync(Context c, string action, string task, string? step, string? duration, CancellationToken ct)
    {
        var target = step is null ? $"/api/v1/task/{ApiClient.Escape(task)}" : $"/api/v1/task/{ApiClient.Escape(task)}/{ApiClient.Escape(step)}";
        var path = $"{target}?action={action}" + (string.IsNullOrEmpty(duration) ? "" : $"&duration={ApiClient.Escape(duration)}");
        var reply = await c.Api.SendAsync(HttpMethod.Put, path, null, ct);
        if (c.Json)
        {
            PrintJson(reply.Data);
        }
        else
        {
            c.Human.Console.WriteLine($"{(step is null ? $"task {task}" : $"step {step} of task {task}")}: {reply.Message}");
        }

        return 0;
    }

    private static async Task<int> PoolAsync(Context c, int? size, CancellationToken ct)
    {
        var query = c.Node is null ? "" : $"?node={ApiClient.Escape(c.Node)}";
        var reply = size is { } n
            ? await c.Api.SendJsonAsync(HttpMethod.Post, "/api/v1/pool" + query, JsonSerializer.Serialize(new PoolResize(n)), ct)
            : await c.Api.GetAsync("/api/v1/pool" + query, ct);
        if (c.Json)
        {
            PrintJson(reply.Data);
        }
        else
        {
            c.Human.Pool(reply.Read<PoolDto>(), c.Node ?? "(this node)");
        }

        return 0;
    }

    private static async Task<int> NodesAsync(Context c, CancellationToken ct)
    {
        var reply = await c.Api.GetAsync("/api/v1/nodes", ct);
        if (c.Json)
        {
            PrintJson(reply.Data);
        }
        else
        {
            c.Human.Nodes(reply.Read<NodeEndpoints.NodeList>());
        }

        return 0;
    }

    private static void PrintJson(JsonElement data) =>
        Console.WriteLine(data.ValueKind == JsonValueKind.Undefined ? "null" : JsonSerializer.Serialize(data, Indented));

    private sealed class CollectingView(List<ConsoleLineDto> lines) : IFollowView
    {
        public void Steps(string task, string? state, IReadOnlyList<StepDetail> steps)
        {
        }

        public void Lines(string step, IReadOnlyList<ConsoleLineDto> lines1) => lines.AddRange(lines1);
    }
}
