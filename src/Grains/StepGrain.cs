using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;

namespace RemoteExecutor.Grains;

/// <summary>
/// One step's durable record and its link to the executor of its node. The node is part of the key, so the grain
/// always activates there and its executor is that node's. Only when the node has left the cluster does it activate
/// elsewhere (placement's node-loss path): then it never asks the local executor and resolves its run as lost.
/// </summary>
[NodePlacement, GrainType(NodePlacement.StepGrainType)]
public sealed partial class StepGrain : Grain, IStepGrain
{
    private readonly IPersistentState<StepState> _state;
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<StepGrain> _logger;

    public StepGrain(
        [PersistentState(StorageNames.StepState, StorageNames.GrainStorage)] IPersistentState<StepState> state,
        EngineOptions options,
        TimeProvider clock,
        ILogger<StepGrain> logger)
    {
        _state = state;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    private StepState S => _state.State;

    private string Node => StepKey.NodeOf(this.GetPrimaryKeyString());

    /// <summary>This activation runs on the step's node (always, unless that node has left the cluster).</summary>
    private bool OnItsNode => Node == _options.Node;

    private bool Live => S.DispatchedAt is not null && S.Outcome is null;

    private IExecutorGrain Executor => GrainFactory.GetGrain<IExecutorGrain>(IExecutorGrain.Key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        KeepAliveWhileLive();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LogDeactivated(_logger, this.GetPrimaryKeyString(), reason.ReasonCode.ToString());
        return Task.CompletedTask;
    }

    public async Task Start(StepRun run)
    {
        if (S.Run == run.Run && S.DispatchedAt is not null)
        {
            return;
        }

        if (!OnItsNode)
        {
            LeaveIfMisplaced();
            throw new InvalidOperationException($"node {Node} is not in the cluster; the step cannot start");
        }

        _state.State = new StepState { Run = run.Run, Request = run, DispatchedAt = _clock.GetUtcNow() };
        await _state.WriteStateAsync();
        KeepAliveWhileLive();
        try
        {
            await Executor.Start(new ExecutionRequest
            {
                TaskId = run.TaskId,
                StepName = run.Step.Name,
                Run = run.Run,
                CommandType = run.Step.CommandType,
                CommandContent = run.Step.CommandContent,
                Env = run.Env,
                Timeout = run.Timeout,
                Secrets = run.Secrets,
                With = run.Step.With,
            });
        }
        catch (Exception ex)
        {
            LogDispatchFailed(_logger, ex, this.GetPrimaryKeyString());
            await Finish(new StepOutcome(ExecState.SystemError, 255, $"could not hand the step to the executor: {ex.Message}", null, _clock.GetUtcNow()));
        }
    }

    public async Task Kill(Guid run, ExecState reason, string message)
    {
        LeaveIfMisplaced();
        if (S.Run != run || S.Outcome is not null || S.Request is null)
        {
            return;
        }

        if (!OnItsNode || !await Executor.Kill(run, S.Request.Step.Name, reason, message))
        {
            // The executor does not know the run (or its node is gone): no process is left to report.
            await Finish(new StepOutcome(reason, 255, message, S.StartedAt, _clock.GetUtcNow()));
        }
    }

    public async Task<StepProgress> GetProgress(Guid run)
    {
        LeaveIfMisplaced();
        if (S.Run != run || S.DispatchedAt is null)
        {
            return new StepProgress(false, null, null);
        }

        if (S.Outcome is not null)
        {
            return new StepProgress(true, S.StartedAt, S.Outcome);
        }

        var status = OnItsNode ? await Executor.GetStatus(run, S.Request!.Step.Name) : ExecutionStatus.Lost;
        if (status == ExecutionStatus.Unknown)
        {
            // Queued but never spawned when the silo went down: nothing ran, so it may simply start again.
            _state.State = new StepState();
            return new StepProgress(false, null, null);
        }

        if (status != ExecutionStatus.Active)
        {
            var why = OnItsNode
                ? "the executor restarted while the step was running; its process was lost"
                : $"node {Node} lost while the step was running";
            await Finish(new StepOutcome(ExecState.SystemError, 255, why, S.StartedAt ?? S.DispatchedAt, _clock.GetUtcNow()), notify: false);
        }

        return new StepProgress(true, S.StartedAt, S.Outcome);
    }

    public async Task ReportStarted(Guid run, DateTimeOffset at)
    {
        if (S.Run != run || S.Outcome is not null || S.Request is null)
        {
            return;
        }

        S.StartedAt = at;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // The start time stays in memory; the exit report stores it with the outcome.
            LogStartNotStored(_logger, ex, this.GetPrimaryKeyString());
        }

        await TaskOf(S.Request.TaskId).StepStarted(S.Request.Step.Name, run, at);
    }

    public async Task ReportExit(Guid run, StepOutcome outcome)
    {
        if (S.Run != run || S.Outcome is not null)
        {
            return;
        }

        await Finish(outcome with { StartedAt = outcome.StartedAt ?? S.StartedAt });
    }

    public async Task Forget()
    {
        await _state.ClearStateAsync();
        DelayDeactivation(TimeSpan.Zero);
        DeactivateOnIdle();
    }

    private async Task Finish(StepOutcome outcome, bool notify = true)
    {
        S.Outcome = outcome;
        S.StartedAt ??= outcome.StartedAt;
        await _state.WriteStateAsync();
        if (notify && S.Request is { } request)
        {
            await TaskOf(request.TaskId).StepFinished(request.Step.Name, S.Run, outcome);
        }

        DelayDeactivation(TimeSpan.Zero);
        DeactivateOnIdle();
    }

    /// <summary>Placed here only because its node was gone: never linger, so a rejoined node gets its grain back.</summary>
    private void LeaveIfMisplaced()
    {
        if (!OnItsNode)
        {
            DeactivateOnIdle();
        }
    }

    private void KeepAliveWhileLive()
    {
        if (_options.KeepRunsAlive && Live && OnItsNode)
        {
            DelayDeactivation(Timeout.InfiniteTimeSpan);
        }
    }

    private ITaskGrain TaskOf(string taskId)
    {
        RequestContext.Set(NodePlacement.ContextKey, Node);
        return GrainFactory.GetTask(taskId);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {Key} could not be handed to the executor")]
    private static partial void LogDispatchFailed(ILogger logger, Exception ex, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {Key} deactivated: {Reason}")]
    private static partial void LogDeactivated(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {Key}: its start time could not be stored")]
    private static partial void LogStartNotStored(ILogger logger, Exception ex, string key);
}
