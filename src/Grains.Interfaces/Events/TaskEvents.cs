using System.Globalization;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The events a task's view implies, and those one view adds to the one before.</summary>
public static class TaskEvents
{
    /// <summary>Every event that has happened by the time of <paramref name="view"/>, in the order they happened.</summary>
    public static IReadOnlyList<TaskEvent> Of(TaskView view)
    {
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
