using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Grains;

/// <summary>
/// One step's durable record and its link to the executor of its node. The node is part of the key, so the grain
/// always activates there and its executor is that node's. Only when the node has left the cluster does it activate
/// elsewhere (placement's node-loss path): then it never asks the local executor and resolves its run as lost.
/// </summary>
[NodePlacement, GrainType(NodePlacement.StepGrainType)]
public sealed partial class StepGrain : Grain, IStepGrain, IRemindable
{
    private readonly IPersistentState<StepState> _state;
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<StepGrain> _logger;
    private readonly TaskAlarm _retry;

    /// <summary>
    /// A step that is still running this long after its process started gets its start time stored; a shorter one
    /// has it stored with its outcome, one write fewer. A crash in between takes only the start time: the step's
    /// run is then lost (-999), and its outcome says it started when it was dispatched.
    /// </summary>
    internal static readonly TimeSpan StartWriteDelay = TimeSpan.FromSeconds(1);

    /// <summary>A kill was asked for this run: whatever the attempt reports, the step does not run again.</summary>
    private bool _killing;

    /// <summary>The start time is known here but not yet stored (see <see cref="StartWriteDelay"/>).</summary>
    private IGrainTimer? _startWrite;

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
        _retry = new TaskAlarm(this, clock, options.KeepRunsAlive, StorageNames.RetryReminder, OnRetryDueAsync);
    }

    private StepState S => _state.State;

    private string Node => StepKey.NodeOf(this.GetPrimaryKeyString());

    /// <summary>This activation runs on the step's node (always, unless that node has left the cluster).</summary>
    private bool OnItsNode => Node == _options.Node;

    private bool Live => S.DispatchedAt is not null && S.Outcome is null;

    /// <summary>The execution run id of the current attempt.</summary>
    private Guid ExecRun => StepAttempts.RunOf(S.Run, S.Attempt);

    private IExecutorGrain Executor => GrainFactory.GetGrain<IExecutorGrain>(IExecutorGrain.Key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        KeepAliveWhileLive();
        if (Live && S.RetryAt is { } due && OnItsNode)
        {
            _retry.Arm(due);
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LogDeactivated(_logger, this.GetPrimaryKeyString(), reason.ReasonCode.ToString());
        await StoreStartAsync();
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

        _killing = false;
        _state.State = new StepState { Run = run.Run, Request = run, DispatchedAt = _clock.GetUtcNow() };
        await _state.WriteStateAsync();
        KeepAliveWhileLive();
        await DispatchAsync(run);
    }

    /// <summary>Hands the current attempt to the executor (the state naming it is already stored).</summary>
    private async Task DispatchAsync(StepRun run)
    {
        try
        {
            await Executor.Start(new ExecutionRequest
            {
                TaskId = run.TaskId,
                StepName = run.Step.Name,
                Run = ExecRun,
                Attempt = S.Attempt,
                CommandType = run.Step.CommandType,
                CommandContent = run.Step.CommandContent,
                Env = run.Env,
                Timeout = run.Timeout,
                Secrets = run.Secrets,
                With = run.Step.With,
            });
            if (S.Attempt > 1)
            {
                LogRetrying(_logger, this.GetPrimaryKeyString(), S.Attempt);
            }
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

        _killing = true;
        if (S.RetryAt is not null)
        {
            // Waiting for its next attempt: no process runs, so the step ends here and now.
            await Finish(new StepOutcome(reason, 255, Join(message, $"while waiting to retry ({S.LastFailure})"), S.StartedAt, _clock.GetUtcNow()));
            return;
        }

        if (!OnItsNode || !await Executor.Kill(ExecRun, S.Request.Step.Name, reason, message))
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
            return new StepProgress(true, S.StartedAt, S.Outcome) { Attempts = S.Attempt };
        }

        if (S.RetryAt is { } due && OnItsNode)
        {
            // Waiting out its backoff: the alarm starts the next attempt (a reminder brought it back after a restart).
            _retry.Arm(due);
            return new StepProgress(true, S.StartedAt, null) { Attempts = S.Attempt };
        }

        var status = OnItsNode ? await Executor.GetStatus(ExecRun, S.Request!.Step.Name) : ExecutionStatus.Lost;
        if (status == ExecutionStatus.Unknown && S.Attempt > 1)
        {
            // A retry queued but never spawned when the silo went down: hand the same attempt over again.
            await DispatchAsync(S.Request!);
            return new StepProgress(true, S.StartedAt, S.Outcome) { Attempts = S.Attempt };
        }

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

        return new StepProgress(true, S.StartedAt, S.Outcome) { Attempts = S.Attempt };
    }

    public async Task ReportStarted(Guid run, DateTimeOffset at)
    {
        if (ExecRun != run || S.Outcome is not null || S.Request is null)
        {
            return;
        }

        // The step's start is its first attempt's. It is stored later, and only if the step is still running then.
        if (S.StartedAt is null)
        {
            S.StartedAt = at;
            _startWrite ??= this.RegisterGrainTimer(StoreStartAsync, new GrainTimerCreationOptions(StartWriteDelay, Timeout.InfiniteTimeSpan));
        }

        await TaskOf(S.Request.TaskId).StepStarted(S.Request.Step.Name, S.Run, at, S.Attempt);
    }

    /// <summary>Stores the start time of a step that is still running (the timer, or a deactivation, asks for it).</summary>
    private async Task StoreStartAsync()
    {
        if (_startWrite is null)
        {
            return;
        }

        _startWrite.Dispose();
        _startWrite = null;
        if (!Live || S.RetryAt is not null)
        {
            // Ended or waiting to retry: the write that said so stored the start time too.
            return;
        }

        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // The start time stays in memory; the exit report stores it with the outcome.
            LogStartNotStored(_logger, ex, this.GetPrimaryKeyString());
        }
    }

    public async Task ReportExit(Guid run, StepOutcome outcome)
    {
        if (ExecRun != run || S.Outcome is not null || S.RetryAt is not null)
        {
            return;
        }

        if (!_killing && S.Request?.Step.Retry is { } policy && policy.Retries(outcome, S.Attempt))
        {
            await ScheduleRetryAsync(policy, outcome);
            return;
        }

        var message = S.Attempt > 1 ? Join(outcome.Message, $"after {S.Attempt} attempts") : outcome.Message;
        await Finish(outcome with { StartedAt = S.StartedAt ?? outcome.StartedAt, Message = message });
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != StorageNames.RetryReminder)
        {
            return;
        }

        if (!Live || S.RetryAt is null)
        {
            await _retry.ClearAsync();
            return;
        }

        await OnRetryDueAsync();
    }

    /// <summary>The attempt failed in a way the policy retries: store when the next one starts, and set the alarm.</summary>
    private async Task ScheduleRetryAsync(RetryPolicy policy, StepOutcome outcome)
    {
        var delay = policy.DelayAfter(S.Attempt);
        S.RetryAt = _clock.GetUtcNow() + delay;
        S.LastFailure = $"attempt {S.Attempt} ended: {(outcome.State == ExecState.Timeout ? "timed out" : $"exit code {outcome.Code}")}";
        S.StartedAt ??= outcome.StartedAt;
        await _state.WriteStateAsync();
        LogRetryScheduled(_logger, this.GetPrimaryKeyString(), S.Attempt, delay);
        await _retry.SetAsync(S.RetryAt.Value);
    }

    /// <summary>The backoff is over: the next attempt goes to the executor under its own run id.</summary>
    private async Task OnRetryDueAsync()
    {
        if (!Live || S.RetryAt is null || S.Request is null || _killing)
        {
            return;
        }

        if (!OnItsNode)
        {
            LeaveIfMisplaced();
            return;
        }

        S.Attempt++;
        S.RetryAt = null;
        await _state.WriteStateAsync();
        await _retry.ClearAsync();
        await DispatchAsync(S.Request);
    }

    private static string Join(string message, string note) =>
        string.IsNullOrEmpty(note) ? message : string.IsNullOrEmpty(message) ? note : $"{message}; {note}";

    public async Task Forget()
    {
        await _state.ClearStateAsync();
        DelayDeactivation(TimeSpan.Zero);
        DeactivateOnIdle();
    }

    private async Task Finish(StepOutcome outcome, bool notify = true)
    {
        outcome = outcome with { Attempts = S.Attempt };
        var retried = S.Attempt > 1 || S.RetryAt is not null;
        S.Outcome = outcome;
        S.RetryAt = null;
        S.StartedAt ??= outcome.StartedAt;
        await _state.WriteStateAsync();
        if (retried)
        {
            await _retry.ClearAsync();
        }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Key}: attempt {Attempt} failed; the next starts in {Delay}")]
    private static partial void LogRetryScheduled(ILogger logger, string key, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Step {Key}: attempt {Attempt} handed to the executor")]
    private static partial void LogRetrying(ILogger logger, string key, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {Key} could not be handed to the executor")]
    private static partial void LogDispatchFailed(ILogger logger, Exception ex, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {Key} deactivated: {Reason}")]
    private static partial void LogDeactivated(ILogger logger, string key, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {Key}: its start time could not be stored")]
    private static partial void LogStartNotStored(ILogger logger, Exception ex, string key);
}
