using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Grains;

/// <summary>
/// Recovery of a task after a restart, a move or an idle deactivation: asks the step grains what became of their
/// runs, re-arms the deadline and the timers, and keeps the activation on its node while the run is live.
/// </summary>
public sealed partial class TaskGrain
{
    /// <summary>After a restart, a move or an idle deactivation, finds out what became of the steps, then goes on.</summary>
    private async Task EnsureRecoveredAsync()
    {
        if (_recovered)
        {
            return;
        }

        GoLive();
        LogRecovering(_logger, Id);
        RequestContext.Set(NodePlacement.ContextKey, S.Node);
        var dispatched = _dag.Steps.Any(s => s.State.IsFinal()) || IsFanOut;
        try
        {
            if (IsFanOut)
            {
                await RecoverRunsAsync();
            }

            foreach (var step in _dag.Steps.Where(s => !IsFanOut && !s.State.IsFinal()).Select(s => s.Spec.Name).ToList())
            {
                var progress = await StepOf(step).GetProgress(S.Run);
                dispatched |= progress.Dispatched;
                _dag.Recover(step, progress);
            }

            if (!dispatched && S.EndReason is null)
            {
                // Stored but stopped before its first step (a crash right after a re-submit): the console of the id
                // can only hold the previous run's lines, which the submit may not have deleted yet.
                await _writer.DeleteConsoleAsync(Id);
            }
        }
        catch
        {
            // Not recovered: the next call (a retry of the node-loss watcher, a read) starts over from storage.
            _dag = NewDag();
            throw;
        }

        _recovered = true;

        // A fan-out runs nothing on its own node: it goes on wherever it reactivated.
        if (S.EndReason is null && !IsFanOut && S.Node != _options.Node && !IsAlive(S.Node))
        {
            // The node that ran this task is gone with its workspace: nothing more of it can run.
            await EndTaskAsync(ExecState.SystemError, $"node {S.Node} lost");
            return;
        }

        if (S.Deadline is { } deadline && S.EndReason is null)
        {
            if (deadline <= _clock.GetUtcNow())
            {
                await EndTaskAsync(ExecState.Timeout, TimedOutMessage());
                return;
            }

            _deadline.ArmTimer(deadline);
        }

        if (S.EndReason is null)
        {
            await ReleaseEndedHoldsAsync();
            if (PauseBook.NextDue(S.Holds) is { } pauseEnd)
            {
                _pauseEnd.Arm(pauseEnd);
            }

            if (S.StartAt is { } start && start > _clock.GetUtcNow())
            {
                _start.Arm(start);
            }
        }

        await AdvanceAsync();
    }

    /// <summary>The run is live on this activation: count it for a graceful stop, and keep the activation.</summary>
    private void GoLive()
    {
        if (S.Node == _options.Node && !IsFanOut)
        {
            // Counted where it runs, until it finishes (not when its activation is collected): --normal waits for it.
            _activity.Started(Id);
        }

        if (_options.KeepRunsAlive)
        {
            DelayDeactivation(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// An activation on another silo than its live node's (a duplicate submit, a re-submit to another node)
    /// deactivates once idle: the state is durable, and the next call places the task on its node.
    /// </summary>
    private void RelocateIfMisplaced()
    {
        if (S.Exists && S.Node != _options.Node && IsAlive(S.Node))
        {
            DelayDeactivation(TimeSpan.Zero);
            DeactivateOnIdle();
        }
    }

    private bool IsAlive(string node) =>
        _membership.CurrentSnapshot.Members.Values.Any(m => m.Name == node && m.Status == SiloStatus.Active);

    /// <summary>The DAG as stored, with the steps that are paused held.</summary>
    private DagRun NewDag()
    {
        var dag = new DagRun(S.Steps);
        foreach (var hold in S.Holds.Where(h => h.Step is not null && dag.Contains(h.Step)))
        {
            dag.Hold(hold.Step!, StepPauseMessage(hold.Until));
        }

        return dag;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} recovering after a reactivation")]
    private static partial void LogRecovering(ILogger logger, string taskId);
}
