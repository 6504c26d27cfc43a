using Orleans.Runtime;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Grains;

/// <summary>
/// What the task shows outside its grain: the view, the summary row of the list (with its retries and undo), the
/// durable event log, and the previous run's console a re-submit replaces.
/// </summary>
public sealed partial class TaskGrain
{
    private TaskView View() => TaskProjection.View(Id, S, _dag, _clock.GetUtcNow());

    /// <summary>Appends the run's new events to the durable event log (best effort: the next transition records what failed).</summary>
    private async Task RecordEventsAsync(IReadOnlyList<StepSpec> dispatched)
    {
        if (IsRun)
        {
            // A node's run of a fan-out records no events of its own: the fan-out records its runs' progress.
            return;
        }

        var events = _events.Pending(S.Run, View(), dispatched, _clock.GetUtcNow());
        if (events.Count == 0)
        {
            return;
        }

        try
        {
            await _writer.AppendEventsAsync(S.Run.ToString("N"), events, S.Hooks);
            _events.Recorded(events);
        }
        catch (Exception ex)
        {
            LogStorageFailed(_logger, ex, Id);
        }
    }

    private async Task TryPublishSummaryAsync()
    {
        try
        {
            await PublishSummaryAsync();
        }
        catch (Exception ex)
        {
            // The list lags until the next transition; the task itself goes on.
            LogStorageFailed(_logger, ex, Id);
        }
    }

    private Task PublishSummaryAsync() => _writer.UpsertSummaryAsync(TaskProjection.Summary(View()));

    /// <summary>
    /// The summary row of a finished task must say so: a few quick tries here, then in the background until it
    /// lands. The background retry asks the grain to republish (<see cref="Resume"/>), so it always writes the
    /// current truth, never a stale snapshot over a newer run.
    /// </summary>
    private async Task PublishFinalSummaryAsync()
    {
        try
        {
            await _retry.InCallAsync(async _ => await PublishSummaryAsync());
        }
        catch (Exception ex)
        {
            LogStorageFailed(_logger, ex, Id);
            var grains = GrainFactory;
            var (id, node) = (Id, S.Node);
            _retry.UntilItLands(async _ =>
            {
                RequestContext.Set(NodePlacement.ContextKey, node);
                await grains.GetTask(id).Resume();
            });
        }
    }

    /// <summary>Puts back the summary row a refused submit overwrote (best effort; Resume repairs it otherwise).</summary>
    private async Task UndoSummaryAsync(TaskState previous, DagRun previousDag)
    {
        try
        {
            await (previous.Exists
                ? _writer.UpsertSummaryAsync(TaskProjection.Summary(TaskProjection.View(Id, previous, previousDag, _clock.GetUtcNow())))
                : _writer.DeleteTaskAsync(Id));
        }
        catch (Exception ex)
        {
            LogStorageFailed(_logger, ex, Id);
        }
    }

    private async Task<bool> TryDeleteOldConsoleAsync()
    {
        try
        {
            await _retry.InCallAsync(async _ => await _writer.DeleteConsoleAsync(Id));
            return true;
        }
        catch (Exception ex)
        {
            LogStorageFailed(_logger, ex, Id);
            return false;
        }
    }
}
