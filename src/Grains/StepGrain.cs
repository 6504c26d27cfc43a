using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;

namespace RemoteExecutor.Grains;

/// <summary>One step's durable record and its link to the executor of the task's node.</summary>
[NodePlacement]
public sealed partial class StepGrain : Grain, IStepGrain
{
    private readonly IPersistentState<StepState> _state;
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<StepGrain> _logger;
    private DateTimeOffset? _startedAt;

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

    private IExecutorGrain Executor => GrainFactory.GetGrain<IExecutorGrain>(IExecutorGrain.Key);

    public async Task Start(StepRun run)
    {
        if (S.Run == run.Run && S.DispatchedAt is not null)
        {
            return;
        }

        _state.State = new StepState { Run = run.Run, Request = run, DispatchedAt = _clock.GetUtcNow() };
        _startedAt = null;
        await _state.WriteStateAsync();
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
        if (S.Run != run || S.Outcome is not null)
        {
            return;
        }

        if (!await Executor.Kill(run, S.Request!.Step.Name, reason, message))
        {
            // The executor no longer knows the run: its process is gone without a report.
            await Finish(new StepOutcome(reason, 255, message, _startedAt, _clock.GetUtcNow()));
        }
    }

    public async Task<StepProgress> GetProgress(Guid run)
    {
        if (S.Run != run || S.DispatchedAt is null)
        {
            return new StepProgress(false, null, null);
        }

        var status = S.Outcome is null ? await Executor.GetStatus(run, S.Request!.Step.Name) : ExecutionStatus.Active;
        var onNode = S.Request?.Node ?? _options.Node;
        if (status == ExecutionStatus.Unknown && onNode == _options.Node)
        {
            // Queued but never spawned when the silo went down: nothing ran, so it may simply start again.
            _state.State = new StepState();
            return new StepProgress(false, null, null);
        }

        if (status != ExecutionStatus.Active)
        {
            var why = onNode == _options.Node
                ? "the executor restarted while the step was running; its process was lost"
                : $"node {onNode} lost while the step was running";
            await Finish(new StepOutcome(ExecState.SystemError, 255, why, _startedAt ?? S.DispatchedAt, _clock.GetUtcNow()), notify: false);
        }

        return new StepProgress(true, _startedAt, S.Outcome);
    }

    public Task ReportStarted(Guid run, DateTimeOffset at)
    {
        if (S.Run != run || S.Outcome is not null || S.Request is null)
        {
            return Task.CompletedTask;
        }

        _startedAt = at;
        return TaskOf(S.Request.TaskId).StepStarted(S.Request.Step.Name, run, at);
    }

    public async Task ReportExit(Guid run, StepOutcome outcome)
    {
        if (S.Run != run || S.Outcome is not null)
        {
            return;
        }

        await Finish(outcome);
    }

    public async Task Forget()
    {
        await _state.ClearStateAsync();
        DeactivateOnIdle();
    }

    private async Task Finish(StepOutcome outcome, bool notify = true)
    {
        S.Outcome = outcome;
        await _state.WriteStateAsync();
        if (notify && S.Request is { } request)
        {
            await TaskOf(request.TaskId).StepFinished(request.Step.Name, S.Run, outcome);
        }

        DeactivateOnIdle();
    }

    private ITaskGrain TaskOf(string taskId) => GrainFactory.GetTask(taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {Key} could not be handed to the executor")]
    private static partial void LogDispatchFailed(ILogger logger, Exception ex, string key);
}
