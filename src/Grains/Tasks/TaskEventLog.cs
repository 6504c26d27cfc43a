using System.Globalization;

namespace RemoteExecutor.Grains.Tasks;

/// <summary>
/// Which events of a task's run are not yet in the durable event log: those its view now implies
/// (<see cref="TaskEvents.Of"/>) plus <c>step.started</c> for steps being dispatched (recorded before their process
/// spawns), less those already recorded by this activation. A new activation records everything again; the log
/// keeps the first copy of each event of a run, so nothing is doubled.
/// </summary>
internal sealed class TaskEventLog
{
    private readonly HashSet<string> _recorded = new(StringComparer.Ordinal);
    private Guid _run;

    /// <summary>The events to record now, in the order they happened.</summary>
    public IReadOnlyList<TaskEvent> Pending(Guid run, TaskView view, IReadOnlyList<StepSpec> dispatched, DateTimeOffset now)
    {
        if (run != _run)
        {
            _recorded.Clear();
            _run = run;
        }

        var events = TaskEvents.Of(view).ToList();
        var time = now.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        foreach (var step in dispatched)
        {
            events.Add(new TaskEvent("step.started", view.Id, step.Name, (int)ExecState.Running, 0, "in progress", view.Node, time));
        }

        return [.. events.Where(e => !_recorded.Contains(e.Key)).DistinctBy(e => e.Key)];
    }

    /// <summary>Marks events as stored: they are not offered again for this run.</summary>
    public void Recorded(IEnumerable<TaskEvent> events)
    {
        foreach (var e in events)
        {
            _recorded.Add(e.Key);
        }
    }

    /// <summary>Events of <paramref name="run"/> whose write failed: they are offered again.</summary>
    public void Forget(Guid run, IEnumerable<TaskEvent> events)
    {
        if (run != _run)
        {
            return;
        }

        foreach (var e in events)
        {
            _recorded.Remove(e.Key);
        }
    }
}
