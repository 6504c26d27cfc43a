using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RemoteExecutor.Grains.Plugins;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The silo's process supervisor: a resizable FIFO pool and the table of queued and running executions. Each run
/// takes a slot, is run by <see cref="StepRunner"/> (starting it through <see cref="Spawning.StepSpawners"/>) and its end is
/// reported to the step grain by <see cref="StepReporter"/>; the <see cref="RunRegistry"/> remembers runs across a
/// crash of the silo.
/// </summary>
public sealed partial class ProcessSupervisor
{
    private readonly ConcurrentDictionary<(Guid Run, string Step), Execution> _active = new();
    private readonly TimeProvider _clock;
    private readonly ILogger<ProcessSupervisor> _logger;

    private readonly RunRegistry _registry;
    private readonly StepReporter _reporter;
    private readonly StepRunner _runner;

    public ProcessSupervisor(IGrainFactory grains, ReadModelWriter writer, EngineOptions options, SecretSeal seal, StepKindRegistry kinds, TimeProvider clock, ILogger<ProcessSupervisor> logger)
    {
        _registry = new RunRegistry(options);
        var orphans = _registry.ReapOrphans();
        if (orphans > 0)
        {
            LogReaped(logger, orphans);
        }

        var (spawner, why) = Spawning.StepSpawners.Current;
        if (why.Length == 0)
        {
            LogSpawner(logger, spawner.Name);
        }
        else
        {
            LogSpawnerFallback(logger, spawner.Name, why);
        }

        _reporter = new StepReporter(grains, options, _registry, logger);
        Folders = new TaskFolders(options);
        _runner = new StepRunner(writer, options, seal, kinds, _registry, _reporter, Folders, clock, logger);
        _clock = clock;
        _logger = logger;
        Pool = new ResizableLimiter(options.PoolSize);
    }

    /// <summary>The tasks' workspaces and script folders on this node.</summary>
    public TaskFolders Folders { get; }

    /// <summary>The worker pool of this node.</summary>
    public ResizableLimiter Pool { get; }

    /// <summary>Raised when an execution ends (state, duration) — feeds metrics.</summary>
    public event Action<ExecState, int, TimeSpan>? Finished;

    private volatile string? _closedReason;

    /// <summary>Accepts a start; the process runs in the background when a pool slot is free.</summary>
    public void Start(ExecutionRequest request)
    {
        var execution = new Execution(request);
        if (_active.TryAdd((request.Run, request.StepName), execution))
        {
            if (_closedReason is { } reason)
            {
                execution.Stop(ExecState.Killed, reason);
            }

            _ = Task.Run(() => RunAsync(execution));
        }
    }

    public bool Kill(Guid run, string step, ExecState reason, string message)
    {
        if (!_active.TryGetValue((run, step), out var execution))
        {
            return false;
        }

        execution.Stop(reason, message);
        return true;
    }

    public ExecutionStatus Status(Guid run, string step) =>
        _active.ContainsKey((run, step)) ? ExecutionStatus.Active
        : _registry.WasLost(run, step) ? ExecutionStatus.Lost
        : ExecutionStatus.Unknown;

    /// <summary>Number of executions queued or running.</summary>
    public int ActiveCount => _active.Count;

    /// <summary>Kills everything queued or running, and every later start (shutdown without <c>--normal</c>).</summary>
    public void KillAll(string message)
    {
        _closedReason = message;
        foreach (var execution in _active.Values)
        {
            execution.Stop(ExecState.Killed, message);
        }
    }

    /// <summary>Completes when nothing is queued or running any more, or when <paramref name="cancellationToken"/> fires.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // Take the signal before looking: a run that ends in between completes this one, never a newer one.
            var idle = Volatile.Read(ref _idle).Task;
            if (_active.IsEmpty)
            {
                return;
            }

            await Task.WhenAny(idle, Task.Delay(IdleRecheck, cancellationToken));
        }
    }

    private static readonly TimeSpan IdleRecheck = TimeSpan.FromSeconds(1);

    private TaskCompletionSource _idle = NewIdle();

    private static TaskCompletionSource NewIdle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(Execution execution)
    {
        var request = execution.Request;
        StepOutcome outcome;
        var acquired = false;
        try
        {
            await Pool.AcquireAsync(execution.StopToken);
            acquired = true;
            outcome = await _runner.RunAsync(execution);
        }
        catch (OperationCanceledException) when (!acquired)
        {
            outcome = new StepOutcome(execution.StopReason ?? ExecState.Killed, 255, execution.StopMessage + " (before it started)", null, _clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            LogRunFailed(_logger, ex, request.TaskId, request.StepName);
            outcome = new StepOutcome(ExecState.SystemError, 255, $"executor error: {ex.Message}", null, _clock.GetUtcNow());
        }
        finally
        {
            if (acquired)
            {
                Pool.Release();
            }
        }

        try
        {
            Finished?.Invoke(outcome.State, outcome.Code, outcome.StartedAt is { } st ? outcome.EndedAt - st : TimeSpan.Zero);
            await _reporter.ReportExitAsync(request, outcome);
        }
        finally
        {
            // Whatever happened above, the run leaves the table: a graceful stop must never wait on it.
            _active.TryRemove((request.Run, request.StepName), out _);
            execution.Dispose();
            if (_active.IsEmpty)
            {
                Interlocked.Exchange(ref _idle, NewIdle()).TrySetResult();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed {Count} step process groups left behind by a previous run of this node")]
    private static partial void LogReaped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Steps start through {Spawner}")]
    private static partial void LogSpawner(ILogger logger, string spawner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Steps start through {Spawner} (setsid and sh per step): the direct spawn is unavailable: {Reason}")]
    private static partial void LogSpawnerFallback(ILogger logger, string spawner, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {TaskId}/{StepName} could not be run")]
    private static partial void LogRunFailed(ILogger logger, Exception ex, string taskId, string stepName);
}
