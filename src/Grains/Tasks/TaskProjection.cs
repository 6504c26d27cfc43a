using RemoteExecutor.Grains.Dag;

namespace RemoteExecutor.Grains.Tasks;

/// <summary>What readers see of a task: the detail view and the list's summary row, both from one snapshot.</summary>
internal static class TaskProjection
{
    public static TaskView View(string id, TaskState state, DagRun dag, DateTimeOffset now)
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
            Code = state.Targets is { } targets ? new FanOutRuns(targets, state.Runs).Code : dag.Code,
            Message = Message(state, dag, now),
            EnvVars = EnvEntries.Masked(state.EnvVars),
            Timeout = state.Timeout,
            StartedAt = state.StartedAt,
            EndedAt = state.EndedAt,
            Steps = steps,
            Async = state.Async,
            Result = state.State.IsFinal() ? Result(state, dag)
                : PauseBook.TaskHeld(state.Holds) ? ResultCode.Paused
                : Delayed(state, now) ? ResultCode.Pending
                : Result(state, dag),
            Runs = state.Runs,
            Parent = state.Parent,
        };
    }

    private static ResultCode Result(TaskState state, DagRun dag) => state.Targets is { } t ? new FanOutRuns(t, state.Runs).Result : dag.ResultCode;

    private static string Progress(TaskState state, DagRun dag) => state.Targets is { } t ? new FanOutRuns(t, state.Runs).Summary() : dag.Summary();

    private static string Message(TaskState state, DagRun dag, DateTimeOffset now)
    {
        if (state.State.IsFinal())
        {
            return state.EndReason is not null ? $"{state.EndMessage}; {Progress(state, dag)}" : Progress(state, dag);
        }

        if (PauseBook.Find(state.Holds, null) is { } pause && state.Targets is not null)
        {
            return $"paused{PauseBook.UntilText(pause.Until)}: no new node starts, nodes already running are paused too; resume with action=resume";
        }

        if (PauseBook.Find(state.Holds, null) is { } held)
        {
            return $"paused{PauseBook.UntilText(held.Until)}: no new step starts, {Steps(dag.Dispatched)} running go on; resume with action=resume";
        }

        return Delayed(state, now) ? $"pending: the task starts at {Rfc3339.Format(state.StartAt!.Value)}" : Progress(state, dag);
    }

    /// <summary>"1 step" / "3 steps".</summary>
    public static string Steps(int count) => count == 1 ? "1 step" : $"{count} steps";

    /// <summary>A delayed task whose start time has not come yet.</summary>
    public static bool Delayed(TaskState state, DateTimeOffset now) => state.StartAt is { } start && start > now;

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
        Parent = view.Parent,
        Nodes = view.Runs.Count,
    };

    /// <summary>The state a live task shows: paused while paused as a whole, else running once any step's process has started.</summary>
    public static ExecState LiveState(TaskState state, DagRun dag) =>
        PauseBook.TaskHeld(state.Holds) ? ExecState.Paused
        : state.Targets is { } targets ? new FanOutRuns(targets, state.Runs).LiveState
        : dag.Steps.Any(s => s.StartedAt is not null) ? ExecState.Running : ExecState.Pending;

    /// <summary>How many more steps may be handed out now: none while paused or before a delayed start, else up to max_parallel.</summary>
    public static int Capacity(TaskState state, DagRun dag, DateTimeOffset now)
    {
        if (state.EndReason is not null || PauseBook.TaskHeld(state.Holds) || Delayed(state, now))
        {
            return 0;
        }

        return state.MaxParallel is { } max ? Math.Max(0, max - dag.Dispatched) : int.MaxValue;
    }
}
