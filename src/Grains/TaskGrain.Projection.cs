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

    /// <summary>
    /// How long a step's start waits to reach the list: a step that ends sooner has its task's summary row go from
    /// pending to finished in one upsert. Reading the task (or its deactivation) publishes it at once.
    /// </summary>
    internal static readonly TimeSpan RunningSummaryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>The task's summary row says less than its view, and is published by a timer (see <see cref="RunningSummaryDelay"/>).</summary>
    private IGrainTimer? _deferredSummary;

    private void DeferRunningSummary() =>
        _deferredSummary ??= this.RegisterGrainTimer(PublishDeferredSummaryAsync, new GrainTimerCreationOptions(RunningSummaryDelay, Timeout.InfiniteTimeSpan));

    /// <summary>Publishes the deferred summary now, if one is still due.</summary>
    private async Task PublishDeferredSummaryAsync()
    {
        if (_deferredSummary is not null && S.Exists)
        {
            await TrySummaryAsync(QueueTransition(summary: true, []));
        }
    }

    /// <summary>Any summary written now carries what the deferred one would have said.</summary>
    private void SummaryQueued()
    {
        _deferredSummary?.Dispose();
        _deferredSummary = null;
    }

    /// <summary>
    /// Queues the summary row (when <paramref name="summary"/>) and the run's new events as one transaction of the
    /// read-model writer, without waiting for it: the writer keeps the queue's order, so the rows land before anything
    /// the task queues later, and merge with it when the writer is busy. A read of the task (<see cref="GetView"/>)
    /// waits for what is queued, so the list never lags behind a view a reader has seen. Returns the summary's commit.
    /// </summary>
    private Task QueueTransition(bool summary, IReadOnlyList<StepSpec> dispatched)
    {
        // A node's run of a fan-out records no events of its own: the fan-out records its runs' progress.
        IReadOnlyList<TaskEvent> events = IsRun ? [] : _events.Pending(S.Run, View(), dispatched, _clock.GetUtcNow());
        if (summary)
        {
            SummaryQueued();
        }

        var (row, rows) = _writer.QueueTransition(summary ? TaskProjection.Summary(View()) : null, S.Run.ToString("N"), events, S.Hooks);
        _events.Recorded(events);
        _queued = Task.WhenAll(_queued, row, rows);
        _ = ForgetIfUnrecordedAsync(rows, S.Run, events);
        return row;
    }

    /// <summary>Events whose write failed are offered again at the next transition (best effort, as before).</summary>
    private async Task ForgetIfUnrecordedAsync(Task write, Guid run, IReadOnlyList<TaskEvent> events)
    {
        try
        {
            await write;
        }
        catch (Exception ex)
        {
            LogStorageFailed(_logger, ex, Id);
            _events.Forget(run, events);
        }
    }

    /// <summary>Waits until everything this activation queued is committed (its failures are logged where they happen).</summary>
    private async Task QueuedWrittenAsync()
    {
        try
        {
            await _queued;
        }
        catch (Exception)
        {
            // Logged by the transition that failed; the reader sees what is committed.
        }

        _queued = Task.CompletedTask;
    }

    private Task TryPublishSummaryAsync() => TrySummaryAsync(PublishSummaryAsync());

    private async Task TrySummaryAsync(Task write)
    {
        try
        {
            await write;
        }
        catch (Exception ex)
        {
            // The list lags until the next transition; the task itself goes on.
            LogStorageFailed(_logger, ex, Id);
        }
    }

    private Task PublishSummaryAsync()
    {
        SummaryQueued();
        return _writer.UpsertSummaryAsync(TaskProjection.Summary(View()));
    }

    /// <summary>
    /// The summary row of a finished task must say so: a few quick tries here, then in the background until it
    /// lands. The background retry asks the grain to republish (<see cref="Resume"/>), so it always writes the
    /// current truth, never a stale snapshot over a newer run.
    /// </summary>
    private async Task PublishFinalSummaryAsync()
    {
        // The first try is the final transition (the row and the last events, one commit); a retry writes the row alone.
        Task? first = QueueTransition(summary: true, []);
        try
        {
            await _retry.InCallAsync(async _ =>
            {
                var write = first ?? PublishSummaryAsync();
                first = null;
                await write;
            });
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
