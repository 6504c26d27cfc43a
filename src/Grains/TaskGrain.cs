using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains;

/// <summary>
/// One task: accepts a run, walks its DAG as steps report back, enforces the task deadline, and deletes the
/// task's records when they expire. Durable writes happen only when the task is accepted and when it ends;
/// while it runs, the step grains hold the durable truth about each step.
/// </summary>
[NodePlacement]
public sealed partial class TaskGrain : Grain, ITaskGrain, IRemindable
{
    private static readonly TimeSpan DeadlineGrace = TimeSpan.FromSeconds(30);

    private readonly IPersistentState<TaskState> _state;
    private readonly EngineOptions _options;
    private readonly ReadModelWriter _writer;
    private readonly NodeActivity _activity;
    private readonly EngineMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly IClusterMembershipService _membership;
    private readonly ILogger<TaskGrain> _logger;
    private readonly SecretSeal _seal;
    private DagRun _dag = new([]);
    private bool _recovered;
    private IGrainTimer? _deadlineTimer;

    public TaskGrain(
        [PersistentState(StorageNames.TaskState, StorageNames.GrainStorage)] IPersistentState<TaskState> state,
        EngineOptions options,
        ReadModelWriter writer,
        NodeActivity activity,
        EngineMetrics metrics,
        TimeProvider clock,
        IClusterMembershipService membership,
        SecretSeal seal,
        ILogger<TaskGrain> logger)
    {
        _seal = seal;
        _membership = membership;
        _state = state;
        _options = options;
        _writer = writer;
        _activity = activity;
        _metrics = metrics;
        _clock = clock;
        _logger = logger;
    }

    private TaskState S => _state.State;

    private string Id => TaskKey.IdOf(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _dag = new DagRun(S.Steps);
        _recovered = !S.Exists || S.State.IsFinal();
        return Task.CompletedTask;
    }

    public async Task<OpResult> Submit(TaskSpec spec)
    {
        await EnsureRecoveredAsync();
        if (S.Exists && !S.State.IsFinal())
        {
            return OpResult.InConflict($"task {Id} is still {S.State.DisplayName().ToLowerInvariant()}; kill it or wait for it to finish before submitting it again");
        }

        var (plan, error) = TaskPlanner.Plan(spec with { Id = Id });
        if (plan is null)
        {
            return OpResult.Invalid(error!);
        }

        var now = _clock.GetUtcNow();
        if (S.Exists)
        {
            // A finished id runs again: the old run's console goes.
            await _writer.DeleteConsoleAsync(Id);
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
            Deadline = spec.Timeout is { } t ? now + t : null,
        };
        _dag = new DagRun(S.Steps);
        _recovered = true;
        try
        {
            await _state.WriteStateAsync();
            await PublishSummaryAsync();
        }
        catch (Exception ex)
        {
            // Nothing half-written stays visible: forget the attempt in memory and reload from storage next time.
            LogStorageFailed(_logger, ex, Id);
            _state.State = previous;
            _dag = previousDag;
            DeactivateOnIdle();
            throw new StorageUnavailableException("the task could not be stored; nothing was started", ex);
        }

        _activity.Started(Id);
        if (S.Deadline is { } deadline)
        {
            await this.RegisterOrUpdateReminder(StorageNames.DeadlineReminder, deadline - now + DeadlineGrace, TimeSpan.FromMinutes(1));
            ArmDeadlineTimer();
        }

        LogAccepted(_logger, Id, plan.Steps.Count, S.Node);
        await AdvanceAsync(publish: false);
        return OpResult.Ok(plan.Steps.Count);
    }

    public async Task<TaskView?> GetView()
    {
        if (!S.Exists)
        {
            return null;
        }

        await EnsureRecoveredAsync();
        return View();
    }

    public async Task<OpResult> Kill(string? step)
    {
        if (!S.Exists)
        {
            return OpResult.NotFound($"task {Id} not found");
        }

        await EnsureRecoveredAsync();
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

        var view = _dag[step];
        if (view.State.IsFinal())
        {
            return new OpResult(ResultCode.Success, "step already finished");
        }

        if (view.State == ExecState.Pending)
        {
            _dag.Set(view with { State = ExecState.Killed, Code = 255, Message = "killed by request before it started", EndedAt = _clock.GetUtcNow() });
            await AdvanceAsync();
        }
        else
        {
            await StepOf(step).Kill(S.Run, ExecState.Killed, "step killed by request");
        }

        return OpResult.Ok();
    }

    public async Task StepStarted(string step, Guid run, DateTimeOffset at)
    {
        if (run != S.Run || !_dag.Contains(step) || _dag[step].State != ExecState.Running)
        {
            return;
        }

        _dag.Set(_dag[step] with { StartedAt = at });
        S.State = ExecState.Running;
        await TryPublishSummaryAsync();
    }

    public async Task StepFinished(string step, Guid run, StepOutcome outcome)
    {
        if (run != S.Run || !_dag.Contains(step) || _dag[step].State.IsFinal())
        {
            return;
        }

        Apply(step, outcome);
        await AdvanceAsync();
    }

    public async Task Resume()
    {
        if (!S.Exists)
        {
            // A summary row without a task behind it: drop it so the list tells the truth.
            await _writer.DeleteTaskAsync(Id);
            DeactivateOnIdle();
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
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        switch (reminderName)
        {
            case StorageNames.DeadlineReminder:
                await EnsureRecoveredAsync();
                if (S.Exists && !S.State.IsFinal() && S.EndReason is null)
                {
                    await EndTaskAsync(ExecState.Timeout, $"task timed out after {GoDuration.Format(S.Timeout ?? TimeSpan.Zero)}");
                }
                else
                {
                    await UnregisterReminderAsync(StorageNames.DeadlineReminder);
                }

                break;
        }
    }

    /// <summary>After a restart or a move, finds out what became of the steps that were running, then goes on.</summary>
    private async Task EnsureRecoveredAsync()
    {
        if (_recovered)
        {
            return;
        }

        _recovered = true;
        _activity.Started(Id);
        LogRecovering(_logger, Id);
        foreach (var step in _dag.Steps.Where(s => !s.State.IsFinal()).ToList())
        {
            var progress = await StepOf(step.Spec.Name).GetProgress(S.Run);
            if (progress.Outcome is { } outcome)
            {
                Apply(step.Spec.Name, outcome);
            }
            else if (progress.Dispatched)
            {
                _dag.Set(step with { State = ExecState.Running, StartedAt = progress.StartedAt });
            }
        }

        if (S.EndReason is null && S.Node != _options.Node && !IsAlive(S.Node))
        {
            // The node that ran this task is gone with its workspace: nothing more of it can run.
            await EndTaskAsync(ExecState.SystemError, $"node {S.Node} lost");
            return;
        }

        if (S.Deadline is { } deadline && S.EndReason is null)
        {
            if (deadline <= _clock.GetUtcNow())
            {
                await EndTaskAsync(ExecState.Timeout, $"task timed out after {GoDuration.Format(S.Timeout ?? TimeSpan.Zero)}");
                return;
            }

            ArmDeadlineTimer();
        }

        await AdvanceAsync();
    }

    private void Apply(string step, StepOutcome outcome)
    {
        _dag.Set(_dag[step] with
        {
            State = outcome.State,
            Code = outcome.Code,
            Message = outcome.Message,
            StartedAt = outcome.StartedAt ?? _dag[step].StartedAt,
            EndedAt = outcome.EndedAt,
        });
    }

    /// <summary>Starts what is ready, skips what can never run, and finishes the task when nothing is left.</summary>
    private async Task AdvanceAsync(bool publish = true)
    {
        var now = _clock.GetUtcNow();
        if (S.EndReason is not null)
        {
            _dag.SkipPending(S.EndMessage, now);
        }

        var ready = S.EndReason is null ? _dag.Advance(now) : [];
        if (_dag.IsFinished)
        {
            await FinishAsync();
            return;
        }

        S.State = _dag.Steps.Any(s => s.StartedAt is not null) ? ExecState.Running : ExecState.Pending;
        if (publish)
        {
            await TryPublishSummaryAsync();
        }
        if (ready.Count > 0)
        {
            RequestContext.Set(NodePlacement.ContextKey, S.Node);
            var secrets = EnvEntries.SecretValues([.. S.EnvVars, .. S.Steps.SelectMany(s => s.Spec.EnvVars)]);
            var starts = ready.Select(step => (step, StepOf(step.Name).Start(new StepRun
            {
                TaskId = Id,
                Run = S.Run,
                Node = S.Node,
                Step = step,
                Env = [.. S.EnvVars, .. step.EnvVars],
                Timeout = step.Timeout ?? _options.ExecTimeout,
                Secrets = secrets,
            }))).ToList();
            var failed = false;
            foreach (var (step, start) in starts)
            {
                try
                {
                    await start;
                }
                catch (Exception ex)
                {
                    LogStepStartFailed(_logger, ex, Id, step.Name);
                    Apply(step.Name, new StepOutcome(ExecState.SystemError, 255, $"the step could not be started: {ex.GetType().Name}", null, _clock.GetUtcNow()));
                    failed = true;
                }
            }

            if (failed)
            {
                await AdvanceAsync();
            }
        }
    }

    /// <summary>Kills or times out the whole task: nothing new starts, running steps are stopped.</summary>
    private async Task EndTaskAsync(ExecState reason, string message)
    {
        S.EndReason = reason;
        S.EndMessage = message;
        _dag.SkipPending(reason switch
        {
            ExecState.Timeout => "skipped: the task timed out",
            ExecState.Killed => "skipped: the task was killed",
            _ => $"skipped: {message}",
        }, _clock.GetUtcNow());
        LogEnding(_logger, Id, message);
        RequestContext.Set(NodePlacement.ContextKey, S.Node);
        await Task.WhenAll(_dag.Steps.Where(s => s.State == ExecState.Running).Select(s => StepOf(s.Spec.Name).Kill(S.Run, reason, message)));
        await AdvanceAsync();
    }

    private async Task FinishAsync()
    {
        var now = _clock.GetUtcNow();
        S.Steps = [.. _dag.Steps];
        S.State = S.EndReason ?? ExecState.Stop;
        S.EndedAt = now;
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;

        await _state.WriteStateAsync();
        await PublishSummaryAsync();
        if (S.Deadline is not null)
        {
            await UnregisterReminderAsync(StorageNames.DeadlineReminder);
        }

        await NodeOf(S.Node).CleanTask(Id, workspace: false);
        _activity.Ended(Id);
        _metrics.TaskFinished(S.State, _dag.ResultCode == ResultCode.Success);
        LogFinished(_logger, Id, S.State.DisplayName(), _dag.Code);
        DeactivateOnIdle();
    }

    public async Task Expire()
    {
        if (!S.Exists)
        {
            // Records without a task (a crash between deletions): finish the job.
            await _writer.DeleteTaskAsync(Id);
            DeactivateOnIdle();
            return;
        }

        if (!S.State.IsFinal() || S.EndedAt is not { } ended || ended + _options.KeyExpire > _clock.GetUtcNow())
        {
            return;
        }

        LogExpired(_logger, Id);
        await Task.WhenAll(S.Steps.Select(s => StepOf(s.Spec.Name).Forget()));
        await _writer.DeleteTaskAsync(Id);
        await NodeOf(S.Node).CleanTask(Id, workspace: true);
        await _state.ClearStateAsync();
        _state.State = new TaskState();
        _dag = new DagRun([]);
        DeactivateOnIdle();
    }

    private bool IsAlive(string node) =>
        _membership.CurrentSnapshot.Members.Values.Any(m => m.Name == node && m.Status == SiloStatus.Active);

    private void ArmDeadlineTimer()
    {
        if (S.Deadline is not { } deadline || _deadlineTimer is not null)
        {
            return;
        }

        var due = deadline - _clock.GetUtcNow();
        _deadlineTimer = this.RegisterGrainTimer(
            async () =>
            {
                if (!S.State.IsFinal() && S.EndReason is null)
                {
                    await EndTaskAsync(ExecState.Timeout, $"task timed out after {GoDuration.Format(S.Timeout ?? TimeSpan.Zero)}");
                }
            },
            new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private async Task UnregisterReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private TaskView View()
    {
        var steps = _dag.Steps
            .Select(s => s.State == ExecState.Running && s.StartedAt is null ? s with { State = ExecState.Pending } : s)
            .Select(s => s with { Spec = s.Spec with { EnvVars = EnvEntries.Masked(s.Spec.EnvVars) } })
            .ToList();
        return new TaskView
        {
            Id = Id,
            Node = S.Node,
            State = S.State,
            Code = _dag.Code,
            Message = S.State.IsFinal() && S.EndReason is not null ? $"{S.EndMessage}; {_dag.Summary()}" : _dag.Summary(),
            EnvVars = EnvEntries.Masked(S.EnvVars),
            Timeout = S.Timeout,
            StartedAt = S.StartedAt,
            EndedAt = S.EndedAt,
            Steps = steps,
            Async = S.Async,
            Result = _dag.ResultCode,
        };
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

    private Task PublishSummaryAsync()
    {
        var view = View();
        return _writer.UpsertSummaryAsync(new TaskSummary
        {
            Id = Id,
            Node = S.Node,
            State = view.State,
            Code = view.Code,
            Message = view.Message,
            EnvVars = view.EnvVars,
            Timeout = view.Timeout is { } t ? GoDuration.Format(t) : "",
            Count = view.Steps.Count,
            StartedAt = view.StartedAt,
            EndedAt = view.EndedAt,
        });
    }

    private IStepGrain StepOf(string step) => GrainFactory.GetGrain<IStepGrain>(ProcessSupervisor.StepKey(Id, step));

    private INodeGrain NodeOf(string node)
    {
        RequestContext.Set(NodePlacement.ContextKey, node);
        return GrainFactory.GetGrain<INodeGrain>(node);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId}: storage write failed")]
    private static partial void LogStorageFailed(ILogger logger, Exception ex, string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId}: step {StepName} could not be started")]
    private static partial void LogStepStartFailed(ILogger logger, Exception ex, string taskId, string stepName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} accepted: {Steps} steps on node {Node}")]
    private static partial void LogAccepted(ILogger logger, string taskId, int steps, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} finished: {State}, code {Code}")]
    private static partial void LogFinished(ILogger logger, string taskId, string state, int code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} ending: {Reason}")]
    private static partial void LogEnding(ILogger logger, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} recovering after a restart")]
    private static partial void LogRecovering(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} expired; its records are deleted")]
    private static partial void LogExpired(ILogger logger, string taskId);
}
