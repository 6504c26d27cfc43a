using System.Globalization;
using Microsoft.AspNetCore.Http;
using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>
/// The detail of a fan-out task: each step with its state on every target node (<c>nodes</c>, read from the node's
/// run) and one entry per node in <c>runs</c>; and the run of one node behind <c>?node=</c>.
/// </summary>
public static class FanOutDetail
{
    /// <summary>The view of <paramref name="task"/> as run on <paramref name="node"/>; else why there is none (a 1003 answer).</summary>
    public static async Task<(TaskView? View, string? Error)> NodeViewAsync(IGrainFactory grains, TaskView task, string node)
    {
        if (!task.IsFanOut)
        {
            return task.Node == node ? (task, null) : (null, $"node {node}: task {task.Id} runs on node {task.Node} only");
        }

        var run = task.Runs.FirstOrDefault(r => r.Node == node);
        if (run is null)
        {
            return (null, $"node {node} is not a target of task {task.Id}; its nodes: {string.Join(", ", task.Runs.Select(r => r.Node))}");
        }

        if (!run.Dispatched)
        {
            return (null, $"node {node}: task {task.Id} did not run there ({run.Message})");
        }

        var view = await grains.GetTask(FanOutKey.Of(task.Id, node)).GetView();
        return view is null ? (null, $"node {node}: the run of task {task.Id} there is gone") : (view, null);
    }

    /// <summary><c>?node=N</c> for the links of one node's detail; empty otherwise.</summary>
    public static string NodeQuery(string? node) => node is null ? "" : "?node=" + Uri.EscapeDataString(node);

    public static async Task<IResult> AnswerAsync(HttpRequest request, IGrainFactory grains, TaskView view)
    {
        var runs = await Task.WhenAll(view.Runs.Select(async r =>
            (Run: r, View: r.Dispatched ? await grains.GetTask(FanOutKey.Of(view.Id, r.Node)).GetView() : null)));
        var steps = view.Steps.Select(s =>
        {
            var onNodes = runs.Select(r => (r.Run, Step: r.View?.Steps.FirstOrDefault(x => x.Spec.Name == s.Spec.Name))).ToList();
            var nodes = onNodes.Select(n => n.Step is { } step
                ? new StepNodeState(n.Run.Node, (int)step.State, step.Code, StepText.Describe(step).Message)
                : n.Run.State == ExecState.Pending || n.Run.State == ExecState.Running
                    ? new StepNodeState(n.Run.Node, (int)ExecState.Pending, 0, "pending")
                    : new StepNodeState(n.Run.Node, (int)ExecState.Skipped, 0, n.Run.Message)).ToList();
            var ran = onNodes.Where(n => n.Step is not null).Select(n => n.Step!).ToList();
            var state = Aggregate(nodes);
            return new StepDetail(
                s.Spec.Name, nodes.Sum(n => n.Code), (int)state, Urls.Console(request, view.Id, s.Spec.Name), Urls.Workspace(request, view.Id),
                string.Join("; ", nodes.Select(n => $"{n.Node}: {n.Msg}")), s.Spec.Timeout is { } t ? GoDuration.Format(t) : "",
                s.Spec.DependsOn, s.Spec.CommandType, s.Spec.EnvVars, s.Spec.CommandContent,
                Times.Of(ran.Min(x => x.StartedAt), state.IsFinal() ? ran.Max(x => x.EndedAt) : null), s.Spec.When.ApiName(),
                ran.Count == 0 ? 0 : ran.Max(x => x.Attempts), new Dictionary<string, string>())
            {
                Nodes = nodes,
            };
        }).ToList();

        request.HttpContext.Response.Headers["X-Task-STATE"] = view.State.DisplayName();
        var code = view.Result;
        var envelope = new FanOutEnvelope((int)code, code == ResultCode.Success ? "success" : view.Message, ApiResults.Now(), steps,
            [.. view.Runs.Select(r => new RunDetail(r.Node, (int)r.State, r.Code, r.Message, Time(r.StartedAt), Time(r.EndedAt), (int)RunResult(r)))]);
        return TypedResults.Json(envelope, statusCode: ApiResults.Status(code));
    }

    /// <summary>A run's business code, as the envelope codes a task: 0 succeeded, 1002 failed (or skipped), 1001 running, 1004 pending.</summary>
    public static ResultCode RunResult(FanOutRun run) => run.State switch
    {
        ExecState.Running => ResultCode.InProgress,
        ExecState.Pending or ExecState.Paused => ResultCode.Pending,
        ExecState.Stop when !run.Failed => ResultCode.Success,
        _ => ResultCode.ExecutionFailed,
    };

    /// <summary>A step across nodes: running while one runs; once all are final, the first failure's state (else done); else pending.</summary>
    public static ExecState Aggregate(IReadOnlyList<StepNodeState> nodes)
    {
        var states = nodes.Select(n => (ExecState)n.State).ToList();
        if (states.Contains(ExecState.Running))
        {
            return ExecState.Running;
        }

        if (states.All(s => s.IsFinal()))
        {
            var failure = states.FirstOrDefault(s => s is not (ExecState.Stop or ExecState.Skipped));
            return failure != default ? failure : states.All(s => s == ExecState.Skipped) ? ExecState.Skipped : ExecState.Stop;
        }

        return states.Contains(ExecState.Paused) ? ExecState.Paused : ExecState.Pending;
    }

    /// <summary>Run times to the millisecond, UTC (RFC 3339): the order of runs shows even within one second.</summary>
    private static string Time(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";
}
