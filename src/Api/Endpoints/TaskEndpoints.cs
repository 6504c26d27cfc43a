using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Follow;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>Task routes: submit, list, detail, kill, console (v1, v2 and the root shortcuts).</summary>
public static class TaskEndpoints
{
    /// <summary>Lines a finished step's <c>msg</c> shows at most.</summary>
    public const int DetailTailLines = 1000;

    private const int ConsolePage = 20_000;

    private const string ConsoleDescription =
        "Three forms on one path. Plain GET: the stored lines as JSON (from/limit page through them). " +
        "`Accept: text/event-stream`: Server-Sent Events that follow the step as it runs: one `event: line` per line " +
        "(`id:` = the line number, `data:` = `{\"line\",\"content\",\"timestamp\"}`), a `: keep-alive` comment every 15 s, " +
        "and `event: end` with `data:` = `{\"state\",\"code\",\"msg\"}` once the step is final and every line was sent; then the stream closes. " +
        "It starts at `from` or, when reconnecting, after the `Last-Event-ID` header, so no line is lost or repeated. " +
        "A WebSocket upgrade: one text frame per line (the same JSON), a last frame `{\"end\":{...}}`, then a normal close; resume with `from`. " +
        "Lines stored before the request come first, then live ones, from whichever node runs the step. " +
        "A client that takes no data for 30 s is disconnected and resumes by line number. " +
        "A step with a retry field keeps each attempt's lines apart: `attempt=2` reads the second attempt (1 = the first); " +
        "without it the route serves the last attempt (detail shows `attempts`).";

    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1/task").WithTags("Tasks");
        v1.MapGet("", ListTasks).WithName("ListTasks").WithSummary("List tasks (sort=et orders by end time; page from 1, size up to 1000, default 1000)")
            .Produces<Envelope<TaskList>>().Produces<Envelope<object>>(400);
        v1.MapPost("", SubmitV1).WithName("SubmitTask").WithSummary("Submit a task: steps in the body, options in the query")
            .WithDescription("Stores the task and answers at once; the steps run in the background. Read the outcome at data.url. Steps run in array order unless async=true, which makes a DAG of depends_on.")
            .Accepts<List<StepDto>>("application/json")
            .Produces<Envelope<SubmitAnswer>>().Produces<Envelope<object>>(400).Produces<Envelope<object>>(409);
        v1.MapGet("/{task}", TaskDetail).WithName("TaskDetail").WithSummary("Task detail: one entry per step")
            .WithDescription("A fan-out task (submitted with `targets`) adds `runs` beside `data`: one `{node, state, code, msg, start_time, end_time}` "
                + "per target node (times RFC 3339 UTC with milliseconds), and each step entry gains `nodes`: `[{node, state, code, msg}]`, that step on each node; "
                + "the step's own state and code sum up the nodes. `?node=N` answers that node's run as an ordinary detail.")
            .Produces<Envelope<List<StepDetail>>>().Produces<Envelope<object>>(404);
        v1.MapPut("/{task}", KillTask).WithName("KillTask").WithSummary("Kill, pause or resume the task (action=kill|pause|resume, duration with pause)")
            .WithDescription("kill (the default) ends the task: running steps are killed, the rest skipped. pause: no new step starts, running steps go on "
                + "(the answer says how many); the task shows state 3 Paused, detail code 1005, X-Task-STATE: Paused. With duration the pause ends by itself "
                + "(also across a restart). resume ends the pause. On a finished task every action answers 200 saying so. Audited.")
            .Produces<Envelope<object>>().Produces<Envelope<object>>(404);
        v1.MapPut("/{task}/{step}", KillStep).WithName("KillStep").WithSummary("Kill, pause or resume one step (action=kill|pause|resume, duration with pause)")
            .WithDescription("pause holds a step that has not started (state 3; the others go on) until resume or the end of duration; a running step goes on. "
                + "kill ends the step; its dependants are skipped (unless their when says otherwise).")
            .Produces<Envelope<object>>().Produces<Envelope<object>>(404);
        v1.MapGet("/{task}/events", TaskEventStream.TaskEvents).WithName("TaskEvents").WithSummary("Follow a task's events (Server-Sent Events) until it is final")
            .WithDescription(TaskEventStream.Description)
            .Produces<string>(200, ConsoleStreams.EventStream).Produces<Envelope<object>>(404);
        v1.MapWorkspaceEndpoints();
        v1.MapGet("/{task}/{step}/console", StepConsole).WithName("StepConsole").WithSummary("Console output of a step (optional from/limit; attempt= picks an attempt of a retried step, default the last); live with SSE or a WebSocket")
            .WithDescription(ConsoleDescription)
            .Produces<Envelope<List<ConsoleLineDto>>>().Produces<string>(200, ConsoleStreams.EventStream).Produces<Envelope<object>>(404);

        app.MapPost("/api/v2/task", SubmitV2).WithTags("Tasks").WithName("SubmitTaskV2").WithSummary("Submit a whole task object")
            .WithDescription("The same as the v1 submit with every option in the body. The body may be JSON or YAML "
                + "(Content-Type: application/yaml, application/x-yaml or text/yaml; the same fields; YAML errors name the line and field). "
                + "The JSON Schema of the body is at /schema/task.json.")
            .Accepts<TaskDto>("application/json", [.. BodyMediaType.Yaml])
            .WithMetadata(YamlBodyMetadata.Instance)
            .Produces<Envelope<SubmitAnswer>>().Produces<Envelope<object>>(400).Produces<Envelope<object>>(409);

        var root = app.MapGroup("").WithTags("Shortcuts");
        root.MapGet("/", ListTasks).WithName("ListTasksRoot").WithSummary("Same as GET /api/v1/task").Produces<Envelope<TaskList>>().Produces<Envelope<object>>(400);
        root.MapPost("/", SubmitV1).WithName("SubmitTaskRoot").WithSummary("Same as POST /api/v1/task")
            .Accepts<List<StepDto>>("application/json").Produces<Envelope<SubmitAnswer>>().Produces<Envelope<object>>(400).Produces<Envelope<object>>(409);
        root.MapGet("/{task}", TaskDetail).WithName("TaskDetailRoot").WithSummary("Same as GET /api/v1/task/{task}")
            .Produces<Envelope<List<StepDetail>>>().Produces<Envelope<object>>(404);
        root.MapGet("/{task}/{step}/console", StepConsole).WithName("StepConsoleRoot").WithSummary("Same as GET /api/v1/task/{task}/{step}/console")
            .WithDescription(ConsoleDescription)
            .Produces<Envelope<List<ConsoleLineDto>>>().Produces<string>(200, ConsoleStreams.EventStream).Produces<Envelope<object>>(404);
        return app;
    }

    public static async Task<IResult> SubmitV1(HttpRequest request, IGrainFactory grains, ApiOptions options)
    {
        var (spec, error) = await SubmitParser.ReadV1Async(request, options.Node);
        return await SubmitAsync(request, grains, options, spec, error);
    }

    public static async Task<IResult> SubmitV2(HttpRequest request, IGrainFactory grains, ApiOptions options)
    {
        var (spec, error) = await SubmitParser.ReadV2Async(request, options.Node);
        return await SubmitAsync(request, grains, options, spec, error);
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, IGrainFactory grains, ApiOptions options, TaskSpec? spec, string? error)
    {
        if (spec is null)
        {
            await Audit.RecordAsync(request.HttpContext, grains, "submit", null, null, null, $"1000: {error}");
            return ApiResults.Error(ResultCode.ParameterError, error!);
        }

        if (options.Draining)
        {
            return ApiResults.Error(ResultCode.InternalError, "the server is shutting down and accepts no new tasks", StatusCodes.Status503ServiceUnavailable);
        }

        if (options.StorageFault() is { } fault)
        {
            return ApiResults.Error(ResultCode.InternalError, fault, StatusCodes.Status503ServiceUnavailable);
        }

        if (await NodeEndpoints.CheckNodeAsync(grains, options, spec.Node ?? options.Node) is { } nodeError)
        {
            await Audit.RecordAsync(request.HttpContext, grains, "submit", spec.Id, null, spec.Node, $"1000: {nodeError}");
            return ApiResults.Error(ResultCode.ParameterError, nodeError);
        }

        RequestContext.Set(NodeContextKey, spec.Node ?? options.Node);
        var result = await grains.GetTask(spec.Id).Submit(spec);
        await Audit.RecordAsync(request.HttpContext, grains, "submit", spec.Id, null, spec.Node, Audit.Outcome(result));
        if (!result.IsSuccess)
        {
            return ApiResults.From(result);
        }

        // Header values must be ASCII: a CJK id travels percent-encoded there (the body has it as is).
        request.HttpContext.Response.Headers["X-Task-ID"] = Uri.EscapeDataString(spec.Id);
        return ApiResults.Ok(new SubmitAnswer(Urls.Task(request, spec.Id), spec.Id, result.Count), ResultCode.Success, result.Message);
    }

    /// <summary>Request-context key the placement director reads (same value as the grains' constant).</summary>
    public const string NodeContextKey = "re-node";

    public static async Task<IResult> ListTasks(HttpRequest request, IReadModel readModel, string? sort, string? page, string? size)
    {
        var (p, s, error) = ListPaging.Parse(page, size);
        if (error is not null)
        {
            return ApiResults.Error(ResultCode.ParameterError, error);
        }

        var rows = await readModel.ListTasksAsync(string.Equals(sort, "et", StringComparison.OrdinalIgnoreCase), p, s);
        var items = rows.Tasks.Select(t => new TaskListItem(
            t.Id, t.Code, (int)t.State, Urls.Task(request, t.Id), Urls.Workspace(request, t.Id), t.Message,
            t.EnvVars, t.Timeout, t.Count, t.Node, Times.Of(t.StartedAt, t.EndedAt)) { Nodes = t.Nodes > 0 ? t.Nodes : null }).ToList();
        return ApiResults.Ok(new TaskList(rows.Total, items));
    }

    public static async Task<IResult> TaskDetail(HttpRequest request, IGrainFactory grains, IReadModel readModel, string task, string? node)
    {
        var view = await grains.GetTask(task).GetView();
        if (view is null)
        {
            return ApiResults.Error(ResultCode.NotFound, $"task {task} not found");
        }

        if (node is not null)
        {
            var (run, error) = await FanOutDetail.NodeViewAsync(grains, view, node);
            return run is null ? ApiResults.Error(ResultCode.NotFound, error!) : await StepsDetailAsync(request, readModel, run, task, node);
        }

        return view.IsFanOut ? await FanOutDetail.AnswerAsync(request, grains, view) : await StepsDetailAsync(request, readModel, view, task, null);
    }

    /// <summary>The detail of a task run on one node: one entry per step (<paramref name="node"/>: of a fan-out's run, read as <paramref name="task"/>).</summary>
    private static async Task<IResult> StepsDetailAsync(HttpRequest request, IReadModel readModel, TaskView view, string task, string? node)
    {
        var finished = view.Steps.Where(s => s.State is ExecState.Stop or ExecState.Killed or ExecState.Timeout or ExecState.SystemError)
            .Select(s => s.Spec.Name).ToList();
        // A retried step's message shows its last attempt's console.
        var keys = view.Steps.Where(s => finished.Contains(s.Spec.Name))
            .ToDictionary(s => StepAttempts.ConsoleKey(s.Spec.Name, s.Attempts), s => s.Spec.Name, StringComparer.Ordinal);
        var tails = finished.Count == 0
            ? new Dictionary<string, ConsoleTail>()
            : (await readModel.ReadTailsAsync(view.Id, [.. keys.Keys], DetailTailLines)).ToDictionary(t => keys.GetValueOrDefault(t.Step, t.Step));
        var steps = view.Steps.Select(s => new StepDetail(
            s.Spec.Name, s.Code, (int)s.State, Urls.Console(request, task, s.Spec.Name) + FanOutDetail.NodeQuery(node), Urls.Workspace(request, view.Id),
            StepMessage(s, tails.GetValueOrDefault(s.Spec.Name)), s.Spec.Timeout is { } t ? GoDuration.Format(t) : "",
            s.Spec.DependsOn, s.Spec.CommandType, s.Spec.EnvVars, s.Spec.CommandContent, Times.Of(s.StartedAt, s.EndedAt), s.Spec.When.ApiName(),
            s.Attempts, OutputMap(s.Outputs))).ToList();

        var code = view.Result;
        request.HttpContext.Response.Headers["X-Task-STATE"] = view.State.DisplayName();
        return ApiResults.Ok(steps, code, code == ResultCode.Success ? "success" : view.Message);
    }

    public static Task<IResult> KillTask(HttpContext context, IGrainFactory grains, string task, string? action, string? duration) =>
        ControlAsync(context, grains, task, null, action, duration);

    public static Task<IResult> KillStep(HttpContext context, IGrainFactory grains, string task, string step, string? action, string? duration) =>
        ControlAsync(context, grains, task, step, action, duration);

    private static async Task<IResult> ControlAsync(HttpContext context, IGrainFactory grains, string task, string? step, string? action, string? duration)
    {
        var (control, error) = TaskControl.Read(action, duration);
        if (control is null)
        {
            await Audit.RecordAsync(context, grains, $"task.{action}", task, step, null, $"1000: {error}");
            return ApiResults.Error(ResultCode.ParameterError, error!);
        }

        var grain = grains.GetTask(task);
        var result = control.Action switch
        {
            TaskControl.Pause => await grain.Pause(step, control.Duration),
            TaskControl.Resume => await grain.Unpause(step),
            _ => await grain.Kill(step),
        };
        await Audit.RecordAsync(context, grains, control.Action, task, step, null, Audit.Outcome(result));
        return ApiResults.From(result);
    }

    /// <summary>A step's outputs as the detail shows them: <c>{"KEY": "VALUE"}</c>.</summary>
    private static Dictionary<string, string> OutputMap(IReadOnlyList<string> outputs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in outputs)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            map[entry[..eq]] = entry[(eq + 1)..];
        }

        return map;
    }

    public static async Task StepConsole(HttpContext context, IGrainFactory grains, string task, string step, long? from, int? limit, int? attempt, string? node)
    {
        var view = await grains.GetTask(task).GetView();
        if (view is not null && (node is not null || view.IsFanOut))
        {
            // A fan-out's console is its run's on one node (the console store keys it by the run's id <task>@<node>).
            var (run, error) = node is null ? (null, null) : await FanOutDetail.NodeViewAsync(grains, view, node);
            if (run is null)
            {
                await (node is null
                    ? ApiResults.Error(ResultCode.ParameterError, $"node: task {task} runs on {view.Runs.Count} nodes; name one with node= ({string.Join(", ", view.Runs.Select(r => r.Node))})")
                    : ApiResults.Error(ResultCode.NotFound, error!)).ExecuteAsync(context);
                return;
            }

            (task, view) = (run.Id, run);
        }

        var stepView = view?.Steps.FirstOrDefault(s => s.Spec.Name == step);
        if (view is null || stepView is null)
        {
            await ApiResults.Error(ResultCode.NotFound, view is null ? $"task {task} not found" : $"step {step} not found in task {task}").ExecuteAsync(context);
            return;
        }

        var attempts = Math.Max(1, stepView.Attempts);
        if (attempt is { } asked && (asked < 1 || asked > attempts))
        {
            await ApiResults.Error(ResultCode.ParameterError, $"attempt: step {step} has made {attempts} attempt{(attempts == 1 ? "" : "s")} so far; ask for 1..{attempts}, got {asked}")
                .ExecuteAsync(context);
            return;
        }

        // Attempts after the first keep their lines under their own console key; the default is the last attempt.
        var key = StepAttempts.ConsoleKey(step, attempt ?? attempts);

        if (context.WebSockets.IsWebSocketRequest)
        {
            await ConsoleStreams.SendFramesAsync(context, Follower(context, grains, task, step, key), Math.Max(1, from ?? 1));
            return;
        }

        if (ConsoleStreams.WantsEvents(context.Request))
        {
            await ConsoleStreams.SendEventsAsync(context, Follower(context, grains, task, step, key), ConsoleStreams.FirstLine(context.Request, from));
            return;
        }

        var (code, message) = StepEnd.Describe(stepView);

        // Streamed page by page: a step may have printed millions of lines.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter.AsStream());
        json.WriteStartObject();
        json.WriteNumber("code", (int)code);
        json.WriteString("message", message);
        json.WriteNumber("timestamp", ApiResults.Now());
        json.WriteStartArray("data");
        var readModel = context.RequestServices.GetRequiredService<IReadModel>();
        var next = Math.Max(1, from ?? 1);
        var left = limit is > 0 ? limit.Value : int.MaxValue;
        while (left > 0)
        {
            var page = await readModel.ReadConsoleAsync(task, key, next, Math.Min(ConsolePage, left));
            foreach (var line in page)
            {
                json.WriteStartObject();
                json.WriteNumber("timestamp", line.Timestamp);
                json.WriteNumber("line", line.Line);
                json.WriteString("content", line.Content);
                json.WriteEndObject();
            }

            await json.FlushAsync();
            if (page.Count < Math.Min(ConsolePage, left))
            {
                break;
            }

            left -= page.Count;
            next = page[^1].Line + 1;
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync();
    }

    private static ConsoleFollower Follower(HttpContext context, IGrainFactory grains, string task, string step, string key)
    {
        var readModel = context.RequestServices.GetRequiredService<IReadModel>();
        var taskGrain = grains.GetTask(task);
        return new ConsoleFollower(
            (from, limit) => readModel.ReadConsoleAsync(task, key, from, limit),
            async () => (await taskGrain.GetView())?.Steps.FirstOrDefault(s => s.Spec.Name == step),
            ConsoleStreams.Timing(context),
            context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System);
    }

    private static bool IsStopNote(string part) =>
        part == StepNotes.ConsoleIncomplete
        || part.StartsWith("outputs: ", StringComparison.Ordinal)
        || (part.StartsWith("after ", StringComparison.Ordinal) && part.EndsWith(" attempts", StringComparison.Ordinal));

    private static string StepMessage(StepView step, ConsoleTail? tail)
    {
        switch (step.State)
        {
            case ExecState.Pending:
                return "pending";
            case ExecState.Running:
                return "running";
            case ExecState.Skipped or ExecState.Paused:
                return step.Message;
        }

        var lines = new List<string>();
        if (step.State != ExecState.Stop && !string.IsNullOrEmpty(step.Message))
        {
            lines.Add(step.Message);
        }
        else
        {
            // An exit code speaks through the console; the notes the engine adds to it are shown.
            lines.AddRange(step.Message.Split("; ").Where(IsStopNote));
        }

        if (tail is not null)
        {
            if (tail.Total > tail.Lines.Count)
            {
                lines.Add($"... {tail.Total - tail.Lines.Count} earlier lines left out; the console route has them all");
            }

            lines.AddRange(tail.Lines);
        }

        return string.Join('\n', lines);
    }
}
