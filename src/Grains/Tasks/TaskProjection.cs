using RemoteExecutor.Grains.Dag;

namespace RemoteExecutor.Grains.Tasks;

/// <summary>What readers see of a task: the detail view and the list's summary row, both from one snapshot.</summary>
internal static class TaskProjection
{
    public static TaskView View(string id, TaskState state, DagRun dag)
    {
        var steps = dag.Steps
            .Select(s => s.State == ExecState.Running && s.StartedAt is null ? s with { State = ExecState.Pending } : s)
            .Select(s => s with { Spec = s.Spec with { EnvVars = EnvEntries.Masked(s.Spec.EnvVars) } })
            .ToList();
        return new TaskView
        {
            Id = id,
            Node = state.Node,
            State = state.State,
            Code = dag.Code,
            Message = state.State.IsFinal() && state.EndReason is not null ? $"{state.EndMessage}; {dag.Summary()}" : dag.Summary(),
            EnvVars = EnvEntries.Masked(state.EnvVars),
            Timeout = state.Timeout,
            StartedAt = state.StartedAt,
            EndedAt = state.EndedAt,
            Steps = steps,
            Async = state.Async,
            Result = dag.ResultCode,
        };
    }

    public static TaskSummary Summary(TaskView view) => new()
    {
        Id = view.Id,
        Node = view.Node,
        State = view.State,
        Code = view.Code,
        Message = view.Message,
        EnvVars = view.EnvVars,
        Timeout = view.Timeout is { } t ? GoDuration.Format(t) : "",
        Count = view.Steps.Count,
        StartedAt = view.StartedAt,
        EndedAt = view.EndedAt,
    };

    /// <summary>The state a running task shows: running once any step's process has started.</summary>
    public static ExecState LiveState(DagRun dag) => dag.Steps.Any(s => s.StartedAt is not null) ? ExecState.Running : ExecState.Pending;
}
