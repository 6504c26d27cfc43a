using System.Globalization;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The events a task's view implies, and those one view adds to the one before.</summary>
public static class TaskEvents
{
    /// <summary>Every event that has happened by the time of <paramref name="view"/>, in the order they happened.</summary>
    /// <remarks>
    /// A fan-out task's events are its own and its runs': <c>task.accepted</c>, <c>run.started</c> and <c>run.finished</c>
    /// (or <c>run.skipped</c>) per node with that node in <c>node</c>, then the task's final event. Each node's steps are
    /// read through the detail and console with <c>?node=</c>.
    /// </remarks>
    public static IReadOnlyList<TaskEvent> Of(TaskView view)
    {
        if (view.IsFanOut)
        {
            return FanOut(view);
        }

        var steps = new List<(DateTimeOffset? At, int Order, TaskEvent Event)>();
        for (var i = 0; i < view.Steps.Count; i++)
        {
            var step = view.Steps[i];
            if (step.State == ExecState.Skipped)
            {
                steps.Add((step.EndedAt ?? view.EndedAt, 2 * i + 1, Step(view, step, "step.skipped", step.EndedAt ?? view.EndedAt)));
                continue;
            }

            if (step.StartedAt is { } started)
            {
                steps.Add((started, 2 * i, Step(view, step with { State = ExecState.Running }, "step.started", started)));
            }

            if (step.State.IsFinal())
            {
                steps.Add((step.EndedAt, 2 * i + 1, Step(view, step, "step.finished", step.EndedAt)));
            }
        }

        var events = new List<TaskEvent> { Task(view, "task.accepted", view.StartedAt, ExecState.Pending) };
        events.AddRange(steps.OrderBy(s => s.At ?? DateTimeOffset.MaxValue).ThenBy(s => s.Order).Select(s => s.Event));
        if (view.State.IsFinal())
        {
            var name = view.State switch
            {
                ExecState.Killed => "task.killed",
                ExecState.Timeout => "task.timed_out",
                _ => "task.finished",
            };
            events.Add(Task(view, name, view.EndedAt, view.State));
        }

        return events;
    }

    private static List<TaskEvent> FanOut(TaskView view)
    {
        var runs = new List<(DateTimeOffset? At, int Order, TaskEvent Event)>();
        for (var i = 0; i < view.Runs.Count; i++)
        {
            var run = view.Runs[i];
            if (run.State == ExecState.Skipped)
            {
                runs.Add((run.EndedAt, 2 * i + 1, Run("run.skipped", view, run, run.EndedAt)));
                continue;
            }

            if (run.StartedAt is { } started)
            {
                runs.Add((started, 2 * i, Run("run.started", view, run with { State = ExecState.Running, Code = 0, Message = "running" }, started)));
            }

            if (run.State.IsFinal())
            {
                runs.Add((run.EndedAt, 2 * i + 1, Run("run.finished", view, run, run.EndedAt)));
            }
        }

        var events = new List<TaskEvent> { Task(view, "task.accepted", view.StartedAt, ExecState.Pending) };
        events.AddRange(runs.OrderBy(r => r.At ?? DateTimeOffset.MaxValue).ThenBy(r => r.Order).Select(r => r.Event));
        if (view.State.IsFinal())
        {
            events.Add(Task(view, view.State switch
            {
                ExecState.Killed => "task.killed",
                ExecState.Timeout => "task.timed_out",
                _ => "task.finished",
            }, view.EndedAt, view.State));
        }

        return events;
    }

    private static TaskEvent Run(string type, TaskView view, FanOutRun run, DateTimeOffset? at) =>
        new(type, view.Id, "", (int)run.State, run.Code, run.Message, run.Node, Format(at));

    /// <summary>The events of <paramref name="current"/> that <paramref name="previous"/> (null: none seen yet) did not have.</summary>
    public static IReadOnlyList<TaskEvent> Since(TaskView? previous, TaskView current)
    {
        var seen = previous is null ? [] : Of(previous).Select(e => e.Key).ToHashSet(StringComparer.Ordinal);
        return [.. Of(current).Where(e => !seen.Contains(e.Key))];
    }

    private static TaskEvent Step(TaskView view, StepView step, string type, DateTimeOffset? at) =>
        new(type, view.Id, step.Spec.Name, (int)step.State, step.Code, StepText.Describe(step).Message, view.Node, Format(at));

    private static TaskEvent Task(TaskView view, string type, DateTimeOffset? at, ExecState state) =>
        new(type, view.Id, "", (int)state, state == ExecState.Pending ? 0 : view.Code,
            state == ExecState.Pending ? "accepted" : string.IsNullOrEmpty(view.Message) ? StepText.Name(view.Result) : view.Message,
            view.Node, Format(at));

    private static string Format(DateTimeOffset? at) => at?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? "";
}
