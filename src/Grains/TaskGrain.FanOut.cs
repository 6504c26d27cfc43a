using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Grains;

/// <summary>
/// Fan-out mode: the task runs its whole DAG on each target node as a task of its own (<c>&lt;id&gt;@&lt;node&gt;</c>,
/// placed on that node, reporting back here when final). This side hands nodes out under max_parallel and the error
/// budget (<see cref="FanOutRuns"/> decides), applies kill, timeout and pause to every run, and recovers by asking its
/// runs. A node's run is an ordinary task with a parent: no hooks, no events and no deadline of its own.
/// </summary>
public sealed partial class TaskGrain
{
    /// <summary>How often a fan-out asks its running nodes, should a run's final report have been lost.</summary>
    private static readonly TimeSpan RunPollPeriod = TimeSpan.FromSeconds(20);

    private IGrainTimer? _runPoll;

    private bool IsFanOut => S.Targets is not null;

    private bool IsRun => S.Parent is not null;

    private FanOutRuns Fan() => new(S.Targets!, S.Runs);

    private ITaskGrain RunOf(string node)
    {
        RequestContext.Set(NodePlacement.ContextKey, node);
        return GrainFactory.GetTask(FanOutKey.Of(Id, node));
    }

    public async Task RunChanged(Guid run, string node, TaskView view)
    {
        if (run != S.Run || !IsFanOut || S.State.IsFinal())
        {
            return;
        }

        await EnsureRecoveredAsync();
        var fan = Fan();
        if (fan.Apply(node, view))
        {
            S.Runs = [.. fan.Runs];
            LogRunEnded(_logger, Id, node, view.State.DisplayName());
            await _state.WriteStateAsync();
            await AdvanceAsync();
        }
    }

    public async Task EndRun(ExecState reason, string message)
    {
        if (!S.Exists)
        {
            DeactivateOnIdle();
            return;
        }

        await EnsureRecoveredAsync();
        if (!S.State.IsFinal() && S.EndReason is null)
        {
            await EndTaskAsync(reason, message);
        }
    }

    public async Task Forget()
    {
        if (await DroppedLeftoversAsync())
        {
            return;
        }

        await EnsureRecoveredAsync();
        if (S.State.IsFinal())
        {
            await ExpireNowAsync();
        }
    }

    /// <summary>Hands out what may start now, skips what never will, and finishes the fan-out once every run is final.</summary>
    private async Task AdvanceFanOutAsync(bool publish)
    {
        var now = _clock.GetUtcNow();
        var fan = Fan();
        if (S.EndReason is { } reason)
        {
            fan.SkipPending(SkipMessage(reason, S.EndMessage), now);
        }
        else if (fan.BudgetSpent)
        {
            fan.SkipPending(fan.BudgetMessage(), now);
        }

        var start = fan.Next(S.EndReason is not null || PauseBook.TaskHeld(S.Holds) || TaskProjection.Delayed(S, now), now);
        S.Runs = [.. fan.Runs];
        if (fan.IsFinished)
        {
            await FinishAsync();
            return;
        }

        S.State = TaskProjection.LiveState(S, _dag);
        if (start.Count > 0)
        {
            // The nodes handed out are stored before they hear of it: recovery asks exactly these.
            await _state.WriteStateAsync();
        }

        if (publish || start.Count > 0)
        {
            await TryPublishSummaryAsync();
        }

        await RecordEventsAsync([]);
        ArmRunPoll();
        if (start.Count > 0 && !await DispatchAsync(start))
        {
            await AdvanceFanOutAsync(publish: true);
        }
    }

    /// <summary>Submits the task to each node's run grain; false when a node could not take it (its run is then -999).</summary>
    private async Task<bool> DispatchAsync(IReadOnlyList<string> nodes)
    {
        var outcomes = await Task.WhenAll(nodes.Select(async node =>
        {
            if (!IsAlive(node))
            {
                return (node, Error: $"node {node} unreachable");
            }

            try
            {
                var result = await RunOf(node).Submit(RunSpec(node));
                return (node, Error: result.IsSuccess ? null : $"node {node} unreachable: its run was refused: {result.Message}");
            }
            catch (CryptographicException)
            {
                return (node, Error: $"the task's secrets cannot be opened on node {_options.Node} (the fan-out moved here after its node was lost)");
            }
            catch (Exception ex)
            {
                LogRunStartFailed(_logger, ex, Id, node);
                return (node, Error: $"node {node} unreachable: {ex.GetType().Name}");
            }
        }));

        var failed = outcomes.Where(o => o.Error is not null).ToList();
        if (failed.Count == 0)
        {
            return true;
        }

        var fan = Fan();
        foreach (var (node, error) in failed)
        {
            fan.Fail(node, error!, _clock.GetUtcNow());
        }

        S.Runs = [.. fan.Runs];
        await _state.WriteStateAsync();
        return false;
    }

    /// <summary>The task as one node runs it: the same steps and settings, secrets opened (the node seals them with its own key).</summary>
    private TaskSpec RunSpec(string node) => new()
    {
        Id = FanOutKey.Of(Id, node),
        EnvVars = _seal.OpenEntries(S.EnvVars),
        Async = S.Async,
        Node = node,
        MaxParallel = S.MaxParallel,
        Parent = Id,
        ParentRun = S.Run,
        // A step paused on the fan-out is paused on every node, also on one that starts after the pause.
        PausedSteps = [.. S.Holds.Where(h => h.Step is not null && (h.Until is null || h.Until > _clock.GetUtcNow())).Select(h => new StepPause { Step = h.Step!, Until = h.Until })],
        Steps =
        [
            .. S.Steps.Select(s => new StepRequest
            {
                Name = s.Spec.Name,
                CommandType = s.Spec.CommandType,
                CommandContent = s.Spec.CommandContent,
                EnvVars = _seal.OpenEntries(s.Spec.EnvVars),
                DependsOn = s.Spec.DependsOn,
                Timeout = s.Spec.Timeout,
                With = s.Spec.With,
                When = s.Spec.When.ApiName(),
                Retry = s.Spec.Retry,
            }),
        ],
    };

    /// <summary>Kills or times out every run: nothing new starts, running nodes end their run with the same reason.</summary>
    private async Task EndFanOutAsync(ExecState reason, string message)
    {
        S.EndReason = reason;
        S.EndMessage = message;
        var fan = Fan();
        fan.SkipPending(SkipMessage(reason, message), _clock.GetUtcNow());
        S.Runs = [.. fan.Runs];
        LogEnding(_logger, Id, message);
        await _state.WriteStateAsync();
        await Task.WhenAll(S.Runs.Where(r => r.State == ExecState.Running).Select(async r =>
        {
            try
            {
                await RunOf(r.Node).EndRun(reason, message);
            }
            catch (Exception ex)
            {
                // A lost node's run ends through the node-loss path; the poll asks again.
                LogRunStartFailed(_logger, ex, Id, r.Node);
            }
        }));
        await AdvanceAsync();
    }

    /// <summary>Recovery of a fan-out: asks each running node what became of its run.</summary>
    private async Task RecoverRunsAsync()
    {
        var fan = Fan();
        foreach (var run in fan.Runs.Where(r => r.State == ExecState.Running).ToList())
        {
            var view = await RunOf(run.Node).GetView();
            if (view is null || view.Parent != Id)
            {
                // Marked started, but the node never stored it (a crash in between): it starts again.
                fan.Restart(run.Node);
            }
            else
            {
                fan.Apply(run.Node, view);
            }
        }

        S.Runs = [.. fan.Runs];
    }

    /// <summary>Pause or resume of a fan-out: held here (no new node starts) and passed on to every running node.</summary>
    private async Task<OpResult> ControlRunsAsync(string? step, Func<ITaskGrain, Task<OpResult>> control)
    {
        var running = S.Runs.Where(r => r.State == ExecState.Running).Select(r => r.Node).ToList();
        var answers = await Task.WhenAll(running.Select(async node =>
        {
            try
            {
                return (node, Result: await control(RunOf(node)));
            }
            catch (Exception ex)
            {
                return (node, Result: new OpResult(ResultCode.InternalError, ex.GetType().Name));
            }
        }));
        var refused = answers.Where(a => a.Result.Code is not ResultCode.Success).Select(a => $"{a.node}: {a.Result.Message}").ToList();
        var what = step is null ? "" : $" (step {step})";
        return refused.Count == 0
            ? new OpResult(ResultCode.Success, $"applied{what} on {running.Count} running node{(running.Count == 1 ? "" : "s")}")
            : new OpResult(ResultCode.Success, $"applied{what} on {running.Count - refused.Count} of {running.Count} running nodes; not on {string.Join("; ", refused)}");
    }

    /// <summary>A node's run tells its fan-out it is final (one-way; the fan-out also asks, should this be lost).</summary>
    private async Task NotifyParentAsync()
    {
        if (S.Parent is not { } parent)
        {
            return;
        }

        try
        {
            // The fan-out is placed by the node its row names, not by this run's node (which the context may carry).
            RequestContext.Remove(NodePlacement.ContextKey);
            await GrainFactory.GetTask(parent).RunChanged(S.ParentRun, S.Node, View());
        }
        catch (Exception ex)
        {
            LogNotifyFailed(_logger, ex, Id, parent);
        }
    }

    /// <summary>While nodes run, asks them now and then: a final report lost with a silo cannot leave the fan-out pending.</summary>
    private void ArmRunPoll()
    {
        if (_runPoll is not null || !S.Runs.Any(r => r.State == ExecState.Running))
        {
            return;
        }

        _runPoll = this.RegisterGrainTimer(PollRunsAsync, new GrainTimerCreationOptions(RunPollPeriod, RunPollPeriod) { KeepAlive = _options.KeepRunsAlive });
    }

    private async Task PollRunsAsync(CancellationToken cancellationToken)
    {
        if (!IsFanOut || S.State.IsFinal() || !S.Runs.Any(r => r.State == ExecState.Running))
        {
            _runPoll?.Dispose();
            _runPoll = null;
            return;
        }

        var fan = Fan();
        var ended = false;
        foreach (var node in fan.Runs.Where(r => r.State == ExecState.Running).Select(r => r.Node).ToList())
        {
            try
            {
                if (await RunOf(node).GetView() is { } view && view.Parent == Id)
                {
                    ended |= fan.Apply(node, view);
                }
            }
            catch (Exception ex)
            {
                LogRunStartFailed(_logger, ex, Id, node);
            }
        }

        if (ended)
        {
            S.Runs = [.. fan.Runs];
            await _state.WriteStateAsync(CancellationToken.None);
            await AdvanceAsync();
        }
    }

    /// <summary>Forgets the runs a fan-out handed out (its expiry, or a re-submit of its id).</summary>
    private Task ForgetRunsAsync() =>
        Task.WhenAll(S.Runs.Where(r => r.Dispatched).Select(async r =>
        {
            try
            {
                await RunOf(r.Node).Forget();
            }
            catch (Exception ex)
            {
                LogNotifyFailed(_logger, ex, FanOutKey.Of(Id, r.Node), Id);
            }
        }));

    private static string SkipMessage(ExecState reason, string message) => reason switch
    {
        ExecState.Timeout => "skipped: the task timed out",
        ExecState.Killed => "skipped: the task was killed",
        _ => $"skipped: {message}",
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId}: the run on node {Node} ended {State}")]
    private static partial void LogRunEnded(ILogger logger, string taskId, string node, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: the run on node {Node} could not be reached")]
    private static partial void LogRunStartFailed(ILogger logger, Exception ex, string taskId, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: telling fan-out {Parent} failed (it asks again)")]
    private static partial void LogNotifyFailed(ILogger logger, Exception ex, string taskId, string parent);
}
