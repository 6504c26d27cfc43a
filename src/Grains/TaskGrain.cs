using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Plugins;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Grains;

/// <summary>
/// One task: accepts a run, walks its DAG as steps report back, enforces the task deadline, and deletes the
/// task's records when they expire. Durable writes happen only when the task is accepted and when it ends;
/// while it runs, the step grains hold the durable truth about each step. Every entry point first recovers:
/// after a reactivation it asks the step grains what became of their runs, so nothing depends on the
/// activation having lived since the submit.
/// </summary>
[NodePlacement, GrainType(NodePlacement.TaskGrainType)]
public sealed partial class TaskGrain : Grain, ITaskGrain, IRemindable
{
    private readonly IPersistentState<TaskState> _state;
    private readonly EngineOptions _options;
    private readonly ReadModelWriter _writer;
    private readonly TaskEventLog _events = new();
    private readonly NodeActivity _activity;
    private readonly EngineMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly IClusterMembershipService _membership;
    private readonly ILogger<TaskGrain> _logger;
    private readonly SecretSeal _seal;
    private readonly TaskDeadline _deadline;
    private readonly StorageRetry _retry;
    private readonly StepKindRegistry _kinds;
    private readonly TaskAlarm _pauseEnd;
    private readonly TaskAlarm _start;
    private readonly LiveNodes _liveNodes;
    /// <summary>How long a finished task stays activated after a read.</summary>
    private static readonly TimeSpan FinishedResidence = TimeSpan.FromSeconds(5);

    private IGrainTimer? _leaveTimer;
    private DagRun _dag = new([]);
    private bool _recovered;

    /// <summary>Read-model writes this activation queued without waiting (see <see cref="QueueTransition"/>).</summary>
    private Task _queued = Task.CompletedTask;

    public TaskGrain(
        [PersistentState(StorageNames.TaskState, StorageNames.GrainStorage)] IPersistentState<TaskState> state,
        EngineOptions options,
        ReadModelWriter writer,
        NodeActivity activity,
        EngineMetrics metrics,
        TimeProvider clock,
        IClusterMembershipService membership,
        SecretSeal seal,
        StorageRetry retry,
        StepKindRegistry kinds,
        LiveNodes liveNodes,
        ILogger<TaskGrain> logger)
    {
        _liveNodes = liveNodes;
        _retry = retry;
        _kinds = kinds;
        _seal = seal;
        _membership = membership;
        _state = state;
        _options = options;
        _writer = writer;
        _activity = activity;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
        _deadline = new TaskDeadline(this, clock, options.KeepRunsAlive, OnDeadlineAsync);
        _pauseEnd = new TaskAlarm(this, clock, options.KeepRunsAlive, StorageNames.PauseReminder, OnPauseDueAsync);
        _start = new TaskAlarm(this, clock, options.KeepRunsAlive, StorageNames.StartReminder, OnStartDueAsync);
    }

    private TaskState S => _state.State;

    private string Id => TaskKey.IdOf(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _dag = NewDag();
        _recovered = !S.Exists || S.State.IsFinal();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LogDeactivated(_logger, Id, reason.ReasonCode.ToString());

        // A next activation (perhaps on another node's writer) must not be overtaken by this one's queued rows.
        await PublishDeferredSummaryAsync();
        await QueuedWrittenAsync();
    }

    public async Task<OpResult> Submit(TaskSpec spec)
    {
        await EnsureRecoveredAsync();
        if (S.Exists && !S.State.IsFinal())
        {
            RelocateIfMisplaced();
            return OpResult.InConflict($"task {Id} is still {S.State.DisplayName().ToLowerInvariant()}; kill it or wait for it to finish before submitting it again");
        }

        var (plan, error) = TaskPlanner.Plan(spec with { Id = Id }, _kinds);
        if (plan is null)
        {
            return OpResult.Invalid(error!);
        }

        var now = _clock.GetUtcNow();
        var (startAt, startError) = StartTime.Resolve(spec.RunAt, spec.Delay, now, _options.KeyExpire);
        if (startError is not null)
        {
            return OpResult.Invalid(startError);
        }

        IReadOnlyList<FanOutRun> runs = [];
        if (spec.Targets is { } targets)
        {
            var (selected, selectError) = FanOutRuns.Select(targets, await _liveNodes.ActiveAsync(), now);
            if (selected is null)
            {
                return OpResult.Invalid(selectError!);
            }

            runs = selected;
        }

        if (S.Exists)
        {
            // A finished id runs again. Its step records go (what readers see of it is in the task state); its
            // console goes only once the new run is stored.
            await ForgetStepsAsync();
        }

        var previous = _state.State;
        var previousDag = _dag;
        _state.State = new TaskState
        {
            Id = Id,
            Node = spec.Node ?? _options.Node,
            Run = Guid.NewGuid(),
            State = ExecState.Pending,
            Timeout = spec.Timeout,
            // Secret values are stored sealed; only the executor opens them, right before a process starts.
            EnvVars = [.. _seal.SealEntries(spec.EnvVars)],
            Async = spec.Async,
            Steps = [.. plan.Steps.Select(s => new StepView { Spec = s with { EnvVars = _seal.SealEntries(s.EnvVars) } })],
            StartedAt = now,
            // A delayed task's timeout counts from its start.
            Deadline = spec.Timeout is { } t ? (startAt ?? now) + t : null,
            MaxParallel = spec.MaxParallel,
            StartAt = startAt,
            // A node's run of a fan-out has no hooks: the fan-out's events are the ones delivered.
            Hooks = spec.Parent is not null ? [] :
            [
                .. spec.Hooks.Select(h => h with { Secret = h.Secret.Length == 0 ? "" : _seal.SealValue(h.Secret) }),
                .. _options.Webhooks.Select(url => new HookSpec { Url = url }),
            ],
            Targets = spec.Targets,
            Runs = [.. runs],
            Parent = spec.Parent,
            ParentRun = spec.ParentRun,
            Holds = [.. spec.PausedSteps.Where(p => plan.Steps.Any(s => s.Name == p.Step)).Select(p => new PauseHold { Step = p.Step, Until = p.Until })],
        };
        _dag = NewDag();
        _recovered = true;
        try
        {
            // Every write that can fail comes before the commit (the task state): a refused submit never runs later.
            // A deadline reminder or summary row without the state behind it finds no task and removes itself.
            if (S.Deadline is { } due)
            {
                await _deadline.RegisterReminderAsync(due, _options.DeadlineGrace);
            }

            await PublishSummaryAsync();
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Nothing half-written stays visible: forget the attempt in memory and reload from storage next time.
            LogStorageFailed(_logger, ex, Id);
            _state.State = previous;
            _dag = previousDag;
            await UndoSummaryAsync(previous, previousDag);
            DeactivateOnIdle();
            throw new StorageUnavailableException("the task could not be stored; nothing was started", ex);
        }

        GoLive();
        if (previous.Exists && !await TryDeleteOldConsoleAsync())
        {
            await EndTaskAsync(ExecState.SystemError, "the console of the previous run of this id could not be deleted; nothing was started");
            return OpResult.Ok(plan.Steps.Count);
        }

        if (S.Deadline is { } deadline)
        {
            _deadline.ArmTimer(deadline);
        }

        if (startAt is { } start)
        {
            await _start.SetAsync(start);
        }

        if (PauseBook.NextDue(S.Holds) is { } pauseEnd)
        {
            await _pauseEnd.SetAsync(pauseEnd);
        }

        LogAccepted(_logger, Id, plan.Steps.Count, S.Node);
        await AdvanceAsync(publish: false);
        RelocateIfMisplaced();
        return startAt is { } at
            ? new OpResult(ResultCode.Success, $"accepted; the task starts at {Rfc3339.Format(at)} (in {GoDuration.Format(TimeSpan.FromSeconds(Math.Ceiling((at - now).TotalSeconds)))})", Count: plan.Steps.Count)
            : OpResult.Ok(plan.Steps.Count);
    }

    public async Task<TaskView?> GetView()
    {
        if (!S.Exists)
        {
            // No task here: let the next call (perhaps its submit) place the grain afresh.
            DeactivateOnIdle();
            return null;
        }

        await EnsureRecoveredAsync();
        RelocateIfMisplaced();

        // What a reader sees here, the list shows too.
        await PublishDeferredSummaryAsync();
        await QueuedWrittenAsync();
        if (S.State.IsFinal())
        {
            LeaveSoonAfterRead();
        }

        return View();
    }

    /// <summary>
    /// A finished task is all in storage: a read keeps it in memory a few seconds (readers that poll it share the
    /// activation), not for the collection age (15 min), or every task read after its end would stay resident that
    /// long and the node's memory would grow with its task rate. Deactivating at once after each read would make
    /// concurrent readers of one task chase a deactivating activation (Orleans forwards a message at most twice).
    /// </summary>
    private void LeaveSoonAfterRead()
    {
        _leaveTimer ??= this.RegisterGrainTimer(
            _ =>
            {
                DeactivateOnIdle();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(FinishedResidence, Timeout.InfiniteTimeSpan));
    }

    public async Task<OpResult> Kill(string? step)
    {
        if (!S.Exists)
        {
            DeactivateOnIdle();
            return OpResult.NotFound($"task {Id} not found");
        }

        await EnsureRecoveredAsync();
        RelocateIfMisplaced();
        if (step is null)
        {
            if (S.State.IsFinal())
            {
                return new OpResult(ResultCode.Success, "task already finished");
            }

            await EndTaskAsync(ExecState.Killed, "task killed by request");
            return OpResult.Ok();
        }

        if (!_dag.Contains(step))
        {
            return OpResult.NotFound($"step {step} not found in task {Id}");
        }

        if (IsFanOut)
        {
            return await ControlRunsAsync(step, run => run.Kill(step));
        }

        var view = _dag[step];
        if (view.State.IsFinal())
        {
            return new OpResult(ResultCode.Success, "step already finished");
        }

        if (view.State is ExecState.Pending or ExecState.Paused)
        {
            PauseBook.Release(S.Holds, step);
            _dag.Apply(step, new StepOutcome(ExecState.Killed, 255, "killed by request before it started", null, _clock.GetUtcNow()));
            await AdvanceAsync();
        }
        else
        {
            await StepOf(step).Kill(S.Run, ExecState.Killed, "step killed by request");
        }

        return OpResult.Ok();
    }

    public async Task StepStarted(string step, Guid run, DateTimeOffset at, int attempt)
    {
        if (run != S.Run || !_dag.Contains(step))
        {
            return;
        }

        // A reactivation recovers first: the step's durable start time comes with it.
        await EnsureRecoveredAsync();
        if (_dag.Started(step, at, attempt) && !S.State.IsFinal())
        {
            S.State = TaskProjection.LiveState(S, _dag);

            DeferRunningSummary();
        }
    }

    public async Task StepFinished(string step, Guid run, StepOutcome outcome)
    {
        if (run != S.Run || !_dag.Contains(step))
        {
            return;
        }

        // After a reactivation the recovery already applies this outcome (and those of steps that ended meanwhile).
        await EnsureRecoveredAsync();
        if (_dag.Apply(step, outcome))
        {
            await AdvanceAsync();
        }
    }

    public async Task Resume()
    {
        if (await DroppedLeftoversAsync())
        {
            // It was a summary row without a task behind it: the list tells the truth again.
            return;
        }

        if (S.State.IsFinal())
        {
            // The task ended but the crash came before its summary row said so.
            await PublishSummaryAsync();
            DeactivateOnIdle();
            return;
        }

        await EnsureRecoveredAsync();
        RelocateIfMisplaced();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case StorageNames.PauseReminder:
                await EnsureRecoveredAsync();
                await OnPauseDueAsync();
                return;
            case StorageNames.StartReminder:
                await EnsureRecoveredAsync();
                await OnStartDueAsync();
                return;
            case not StorageNames.DeadlineReminder:
                return;
        }

        await EnsureRecoveredAsync();
        if (S.Exists && !S.State.IsFinal() && S.EndReason is null)
        {
            await EndTaskAsync(ExecState.Timeout, TimedOutMessage());
        }
        else if (S.State.IsFinal() || !S.Exists)
        {
            await _deadline.ClearAsync();
        }
    }

    /// <summary>Starts what is ready, skips what can never run, and finishes the task when nothing is left.</summary>
    private async Task AdvanceAsync(bool publish = true)
    {
        if (IsFanOut)
        {
            await AdvanceFanOutAsync(publish);
            return;
        }

        var now = _clock.GetUtcNow();
        if (S.EndReason is not null)
        {
            _dag.SkipPending(S.EndMessage, now);
        }

        var ready = S.EndReason is null ? _dag.Advance(now, TaskProjection.Capacity(S, _dag, now)) : [];
        if (_dag.IsFinished)
        {
            await FinishAsync();
            return;
        }

        S.State = TaskProjection.LiveState(S, _dag);
        _activity.SetHeld(Id, ready.Count == 0 && !_dag.Steps.Any(s => s.State == ExecState.Running));
        // Before-events are queued before the steps' processes spawn (nobody waits for their delivery): anything the
        // steps write later is queued behind them. A crash before their commit loses nothing the recovery cannot tell.
        var summary = QueueTransition(publish, ready);
        if (publish)
        {
            await TrySummaryAsync(summary);
        }
        if (ready.Count > 0 && !await StartAsync(ready))
        {
            await AdvanceAsync();
        }
    }

    /// <summary>Hands ready steps to their step grains; false when one could not be started (it is then -999).</summary>
    private async Task<bool> StartAsync(IReadOnlyList<StepSpec> ready)
    {
        RequestContext.Set(NodePlacement.ContextKey, S.Node);
        var secrets = EnvEntries.SecretValues([.. S.EnvVars, .. S.Steps.SelectMany(s => s.Spec.EnvVars)]);
        var starts = ready.Select(step => (step, StepOf(step.Name).Start(new StepRun
        {
            TaskId = Id,
            Run = S.Run,
            Node = S.Node,
            Step = step,
            Env = [.. S.EnvVars, .. step.EnvVars, .. _dag.OutputVariables(step)],
            Timeout = step.Timeout ?? _options.ExecTimeout,
            Secrets = secrets,
        }))).ToList();
        var allStarted = true;
        foreach (var (step, start) in starts)
        {
            try
            {
                await start;
            }
            catch (Exception ex)
            {
                LogStepStartFailed(_logger, ex, Id, step.Name);
                _dag.Apply(step.Name, new StepOutcome(ExecState.SystemError, 255, $"the step could not be started: {ex.GetType().Name}", null, _clock.GetUtcNow()));
                allStarted = false;
            }
        }

        return allStarted;
    }

    /// <summary>Kills or times out the whole task: nothing new starts, running steps are stopped.</summary>
    private async Task EndTaskAsync(ExecState reason, string message)
    {
        if (IsFanOut)
        {
            await EndFanOutAsync(reason, message);
            return;
        }

        S.EndReason = reason;
        S.EndMessage = message;
        _dag.SkipPending(SkipMessage(reason, message), _clock.GetUtcNow());
        LogEnding(_logger, Id, message);
        RequestContext.Set(NodePlacement.ContextKey, S.Node);
        await Task.WhenAll(_dag.Steps.Where(s => s.State == ExecState.Running).Select(s => StepOf(s.Spec.Name).Kill(S.Run, reason, message)));
        await AdvanceAsync();
    }

    private Task OnDeadlineAsync() =>
        !S.State.IsFinal() && S.EndReason is null ? EndTaskAsync(ExecState.Timeout, TimedOutMessage()) : Task.CompletedTask;

    private string TimedOutMessage() => $"task timed out after {GoDuration.Format(S.Timeout ?? TimeSpan.Zero)}";

    private async Task FinishAsync()
    {
        var now = _clock.GetUtcNow();
        S.Steps = [.. _dag.Steps];
        S.State = S.EndReason ?? ExecState.Stop;
        S.EndedAt = now;

        await _state.WriteStateAsync();
        await PublishFinalSummaryAsync();
        S.Holds.Clear();
        await _deadline.ClearAsync();
        await _pauseEnd.ClearAsync();
        await _start.ClearAsync();
        _runPoll?.Dispose();
        _runPoll = null;
        await NotifyParentAsync();
        await CleanNodeAsync(workspace: false);
        _activity.Ended(Id);
        _metrics.TaskFinished(S.State, View().Result == ResultCode.Success);
        LogFinished(_logger, Id, S.State.DisplayName(), _dag.Code);
        DelayDeactivation(TimeSpan.Zero);
        DeactivateOnIdle();
    }

    public async Task Expire()
    {
        if (await DroppedLeftoversAsync())
        {
            return;
        }

        await EnsureRecoveredAsync();
        if (!S.State.IsFinal() || S.EndedAt is not { } ended || ended + _options.KeyExpire > _clock.GetUtcNow())
        {
            return;
        }

        await ExpireNowAsync();
    }

    /// <summary>Deletes a finished task's records: its steps (a fan-out: its nodes' runs) first, then its files, state and rows.</summary>
    private async Task ExpireNowAsync()
    {
        LogExpired(_logger, Id);
        await ForgetStepsAsync();
        await CleanNodeAsync(workspace: true);
        // The state goes before the summary row: a fault in between leaves the row, and the next sweep finds it and
        // finishes the job (the branch above); the other order would leave a state that nothing sweeps again.
        await _state.ClearStateAsync();
        _state.State = new TaskState();
        _dag = NewDag();
        await _writer.DeleteTaskAsync(Id);
        DeactivateOnIdle();
    }

    /// <summary>Records without a task behind them (a crash between deletions): finishes the job; true when there is no task.</summary>
    private async Task<bool> DroppedLeftoversAsync()
    {
        if (S.Exists)
        {
            return false;
        }

        await _writer.DeleteTaskAsync(Id);
        DeactivateOnIdle();
        return true;
    }

    private Task ForgetStepsAsync() => IsFanOut ? ForgetRunsAsync() : Task.WhenAll(S.Steps.Select(s => StepOf(s.Spec.Name).Forget()));

    private async Task CleanNodeAsync(bool workspace)
    {
        try
        {
            RequestContext.Set(NodePlacement.ContextKey, S.Node);
            await GrainFactory.GetGrain<INodeGrain>(S.Node).CleanTask(Id, workspace);
        }
        catch (Exception ex)
        {
            // Scripts and workspace are clean-up only (a lost node took them with it): never fail the task for them.
            LogCleanFailed(_logger, ex, Id, S.Node);
        }
    }

    private IStepGrain StepOf(string step) => GrainFactory.GetStep(S.Node, Id, step);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId}: storage write failed")]
    private static partial void LogStorageFailed(ILogger logger, Exception ex, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId}: step {StepName} could not be started")]
    private static partial void LogStepStartFailed(ILogger logger, Exception ex, string taskId, string stepName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: cleaning its files on node {Node} failed")]
    private static partial void LogCleanFailed(ILogger logger, Exception ex, string taskId, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} accepted: {Steps} steps on node {Node}")]
    private static partial void LogAccepted(ILogger logger, string taskId, int steps, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} finished: {State}, code {Code}")]
    private static partial void LogFinished(ILogger logger, string taskId, string state, int code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} ending: {Reason}")]
    private static partial void LogEnding(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} deactivated: {Reason}")]
    private static partial void LogDeactivated(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} expired; its records are deleted")]
    private static partial void LogExpired(ILogger logger, string taskId);
}
