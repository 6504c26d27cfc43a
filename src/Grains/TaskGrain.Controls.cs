using Microsoft.Extensions.Logging;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Grains;

/// <summary>The operator's controls of a live task: pause and resume (of the task or of a step), and the delayed start.</summary>
public sealed partial class TaskGrain
{
    public async Task<OpResult> Pause(string? step, TimeSpan? duration)
    {
        if (await CheckControlAsync(step) is { } refused)
        {
            return refused;
        }

        var until = duration is { } d ? _clock.GetUtcNow() + d : (DateTimeOffset?)null;
        if (IsFanOut)
        {
            // Kept here too: a task pause holds the nodes not started yet, a step pause goes with each run that starts later.
            PauseBook.Hold(S.Holds, step, until);
            await SaveHoldsAsync();
            LogPaused(_logger, Id, step ?? "", PauseBook.UntilText(until));
            if (step is null)
            {
                S.State = TaskProjection.LiveState(S, _dag);
                await TryPublishSummaryAsync();
            }

            var passed = await ControlRunsAsync(step, run => run.Pause(step, duration));
            return new OpResult(ResultCode.Success, step is null
                ? $"task paused{PauseBook.UntilText(until)}: no new node starts; {passed.Message}"
                : $"step {step} paused{PauseBook.UntilText(until)} on every node, also on those that start later: {passed.Message}");
        }

        if (step is null)
        {
            PauseBook.Hold(S.Holds, null, until);
            await SaveHoldsAsync();
            S.State = TaskProjection.LiveState(S, _dag);
            await TryPublishSummaryAsync();
            LogPaused(_logger, Id, "", PauseBook.UntilText(until));
            var running = _dag.Dispatched;
            return new OpResult(ResultCode.Success, $"task paused{PauseBook.UntilText(until)}: no new step starts; {TaskProjection.Steps(running)} already running go on");
        }

        if (_dag[step].State == ExecState.Running)
        {
            return new OpResult(ResultCode.Success, $"step {step} is already running and goes on; a pause holds only steps that have not started");
        }

        PauseBook.Hold(S.Holds, step, until);
        _dag.Hold(step, StepPauseMessage(until));
        await SaveHoldsAsync();
        await TryPublishSummaryAsync();
        LogPaused(_logger, Id, step, PauseBook.UntilText(until));
        return new OpResult(ResultCode.Success, $"step {step} paused{PauseBook.UntilText(until)}: it does not start until resumed; the other steps go on");
    }

    public async Task<OpResult> Unpause(string? step)
    {
        if (await CheckControlAsync(step) is { } refused)
        {
            return refused;
        }

        if (IsFanOut)
        {
            var passed = await ControlRunsAsync(step, run => run.Unpause(step));
            if (PauseBook.Release(S.Holds, step))
            {
                await SaveHoldsAsync();
                LogResumed(_logger, Id, step ?? "");
                await AdvanceAsync();
            }

            return new OpResult(ResultCode.Success, $"{(step is null ? "task" : $"step {step}")} resumed: {passed.Message}");
        }

        if (!PauseBook.Release(S.Holds, step))
        {
            return new OpResult(ResultCode.Success, step is null ? "task is not paused" : $"step {step} is not paused");
        }

        if (step is not null)
        {
            _dag.Release(step);
        }

        await SaveHoldsAsync();
        LogResumed(_logger, Id, step ?? "");
        await AdvanceAsync();
        return new OpResult(ResultCode.Success, step is null ? "task resumed" : $"step {step} resumed");
    }

    /// <summary>Null when the task (or step) can be paused or resumed; else the answer: not found, or already finished.</summary>
    private async Task<OpResult?> CheckControlAsync(string? step)
    {
        if (!S.Exists)
        {
            DeactivateOnIdle();
            return OpResult.NotFound($"task {Id} not found");
        }

        await EnsureRecoveredAsync();
        RelocateIfMisplaced();
        if (S.State.IsFinal() || S.EndReason is not null)
        {
            return new OpResult(ResultCode.Success, $"task already finished ({S.State.DisplayName()}); nothing to pause or resume");
        }

        if (step is null)
        {
            return null;
        }

        if (!_dag.Contains(step))
        {
            return OpResult.NotFound($"step {step} not found in task {Id}");
        }

        return _dag[step].State.IsFinal()
            ? new OpResult(ResultCode.Success, $"step {step} already finished ({_dag[step].State.DisplayName()}); nothing to pause or resume")
            : null;
    }

    /// <summary>Stores the pauses, then sets the alarm for the next one that ends by itself (or clears it).</summary>
    private async Task SaveHoldsAsync()
    {
        await _state.WriteStateAsync();
        if (PauseBook.NextDue(S.Holds) is { } next)
        {
            await _pauseEnd.SetAsync(next);
        }
        else
        {
            await _pauseEnd.ClearAsync();
        }
    }

    /// <summary>Ends the pauses whose duration is over; true when one ended (and the pauses were stored).</summary>
    private async Task<bool> ReleaseEndedHoldsAsync()
    {
        var ended = PauseBook.Expire(S.Holds, _clock.GetUtcNow());
        if (ended.Count == 0)
        {
            return false;
        }

        foreach (var hold in ended)
        {
            if (hold.Step is not null && _dag.Contains(hold.Step))
            {
                _dag.Release(hold.Step);
            }

            LogResumed(_logger, Id, hold.Step ?? "");
        }

        await SaveHoldsAsync();
        return true;
    }

    /// <summary>The pause alarm rang (timer or reminder): end what is due, and go on.</summary>
    private async Task OnPauseDueAsync()
    {
        if (!S.Exists || S.State.IsFinal())
        {
            await _pauseEnd.ClearAsync();
            return;
        }

        if (await ReleaseEndedHoldsAsync())
        {
            await AdvanceAsync();
        }
        else if (PauseBook.NextDue(S.Holds) is { } next)
        {
            _pauseEnd.Arm(next);
        }
        else
        {
            await _pauseEnd.ClearAsync();
        }
    }

    /// <summary>The start alarm of a delayed task rang: start it when its time has come.</summary>
    private async Task OnStartDueAsync()
    {
        if (!S.Exists || S.State.IsFinal() || S.StartAt is not { } start)
        {
            await _start.ClearAsync();
            return;
        }

        if (start > _clock.GetUtcNow())
        {
            _start.Arm(start);
            return;
        }

        await _start.ClearAsync();
        LogDelayedStart(_logger, Id);
        await AdvanceAsync();
    }

    private static string StepPauseMessage(DateTimeOffset? until) =>
        $"paused{PauseBook.UntilText(until)}: the step starts only after action=resume";

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} paused (step: {StepName}){Until}")]
    private static partial void LogPaused(ILogger logger, string taskId, string stepName, string until);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} resumed (step: {StepName})")]
    private static partial void LogResumed(ILogger logger, string taskId, string stepName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId}: its delayed start has come")]
    private static partial void LogDelayedStart(ILogger logger, string taskId);
}
