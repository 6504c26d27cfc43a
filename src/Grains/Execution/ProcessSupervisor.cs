using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using RemoteExecutor.Grains.Plugins;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The silo's process supervisor: a resizable FIFO pool, the running processes, their output, their deadlines,
/// and killing their whole trees. Each step runs as the leader of its own session/process group, with stdout
/// and stderr on one pipe so the console keeps the order the process wrote in. Results go back to the step
/// grain as a new call once every output line is stored.
/// </summary>
public sealed partial class ProcessSupervisor
{
    private static readonly string? SetSid = OperatingSystem.IsWindows() ? null : FindSetSid();

    private readonly ConcurrentDictionary<(Guid Run, string Step), Execution> _active = new();
    private readonly IGrainFactory _grains;
    private readonly ReadModelWriter _writer;
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ProcessSupervisor> _logger;

    private readonly RunRegistry _registry;
    private readonly SecretSeal _seal;
    private readonly StepKindRegistry _kinds;
    private readonly PluginRunner _plugins;

    public ProcessSupervisor(IGrainFactory grains, ReadModelWriter writer, EngineOptions options, SecretSeal seal, StepKindRegistry kinds, TimeProvider clock, ILogger<ProcessSupervisor> logger)
    {
        _seal = seal;
        _kinds = kinds;
        _plugins = new PluginRunner(writer, options, clock, logger);
        _registry = new RunRegistry(options);
        var orphans = _registry.ReapOrphans();
        if (orphans > 0)
        {
            LogReaped(logger, orphans);
        }

        _grains = grains;
        _writer = writer;
        _options = options;
        _clock = clock;
        _logger = logger;
        Pool = new ResizableLimiter(options.PoolSize);
    }

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
            outcome = await RunProcessAsync(execution);
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
            if (await ReportAsync(request, outcome))
            {
                _registry.Done(request.Run, request.StepName);
            }
            else
            {
                // The step ran but its grain never heard: it must resolve as lost (-999), never run again.
                _registry.MarkLost(request.Run, request.StepName);
            }
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

    private async Task<StepOutcome> RunProcessAsync(Execution execution)
    {
        ExecutionRequest request;
        try
        {
            request = _seal.Open(execution.Request);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException)
        {
            return new StepOutcome(ExecState.SystemError, 255,
                "a secret of this task could not be decrypted with this node's key (was <root>/data/secret.key replaced?)", null, _clock.GetUtcNow());
        }

        var workspace = _options.WorkspaceDir(request.TaskId);
        var scriptDir = _options.ScriptDir(request.TaskId);
        var interpreter = CommandTypes.Find(request.CommandType);
        string? script = null;
        string? input = null;
        string executable;
        List<string> arguments;
        if (interpreter is null)
        {
            // Not a script: a step kind. In-process kinds run here; an executable plugin is started like an interpreter.
            var kind = _kinds.Find(request.CommandType);
            if (kind is null)
            {
                return new StepOutcome(ExecState.SystemError, 255,
                    $"command_type {request.CommandType} is neither a script type nor a step kind of node {_options.Node} (was its plugin removed?)", null, _clock.GetUtcNow());
            }

            Directory.CreateDirectory(workspace);
            Directory.CreateDirectory(scriptDir);
            if (kind.Executable is null)
            {
                return await RunKindAsync(execution, request, kind.Kind, TaskVariables(request, workspace, scriptDir, null));
            }

            executable = kind.Executable;
            arguments = [];
            input = ExecutablePluginInput.Json(request, workspace, _options.Node);
        }
        else
        {
            var resolved = interpreter.Resolve();
            if (resolved is null)
            {
                return new StepOutcome(ExecState.SystemError, 255,
                    $"interpreter \"{string.Join("\" or \"", interpreter.Executables)}\" for command_type {request.CommandType} not found on this host",
                    null, _clock.GetUtcNow());
            }

            Directory.CreateDirectory(workspace);
            Directory.CreateDirectory(scriptDir);
            executable = resolved;
            script = Path.Combine(scriptDir, request.StepName + interpreter.Extension);
            await File.WriteAllTextAsync(script, request.CommandContent, new UTF8Encoding(false));
            arguments = [.. interpreter.Arguments, script];
        }

        var psi = BuildStartInfo(executable, arguments, workspace);
        var variables = TaskVariables(request, workspace, scriptDir, script);
        var outputFile = StepOutputFile.PathOf(scriptDir, request.StepName);
        File.Delete(outputFile);
        variables[StepOutputFile.Variable] = outputFile;
        StepEnvironment.Apply(psi.Environment, request.Env, variables);

        using var process = new Process { StartInfo = psi };
        var startedAt = _clock.GetUtcNow();
        try
        {
            if (execution.StopToken.IsCancellationRequested)
            {
                return new StepOutcome(execution.StopReason!.Value, 255, execution.StopMessage + " (before it started)", null, startedAt);
            }

            _registry.Starting(request.Run, request.TaskId, request.StepName);
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return new StepOutcome(ExecState.SystemError, 255, $"could not start {executable}: {ex.Message}", null, startedAt);
        }

        var pgid = SetSid is not null ? process.Id : 0;
        if (pgid > 0)
        {
            _registry.Spawned(request.Run, request.TaskId, request.StepName, pgid);
        }

        LogStarted(_logger, request.TaskId, request.StepName, process.Id);
        NotifyStarted(request, startedAt);
        _ = WriteInputAsync(process, input);

        var output = new StepOutput(_writer, request, _options, _clock);
        var stdout = output.PumpAsync(process.StandardOutput.BaseStream);
        var stderr = output.PumpAsync(process.StandardError.BaseStream);

        using var timeout = StartTimeout(execution, request);
        try
        {
            await process.WaitForExitAsync(execution.StopToken);
            execution.Seal();
        }
        catch (OperationCanceledException)
        {
            await KillTreeAsync(process, pgid);
        }

        // Background children of the step die with it: nothing it started may outlive it or hold its pipe open.
        if (pgid > 0)
        {
            ProcessGroup.Signal(pgid, ProcessGroup.SigKill);
        }

        var drained = Task.WhenAll(stdout, stderr);
        if (await Task.WhenAny(drained, Task.Delay(TimeSpan.FromSeconds(5))) != drained)
        {
            // A grandchild that left the group (setsid) still holds the pipe: stop waiting for it.
            LogPipeHeld(_logger, request.TaskId, request.StepName);
            process.StandardOutput.BaseStream.Close();
            process.StandardError.BaseStream.Close();
        }

        // The console store failing (after the writer's own retries) loses lines, not the step's result.
        var consoleNote = "";
        try
        {
            await output.CompleteAsync();
        }
        catch (StorageUnavailableException ex)
        {
            LogConsoleIncomplete(_logger, ex, request.TaskId, request.StepName);
            consoleNote = StepNotes.ConsoleIncomplete;
        }

        var (outputs, outputNote) = await ReadOutputsAsync(outputFile, output, request);
        consoleNote = Join(consoleNote, outputNote);
        var endedAt = _clock.GetUtcNow();
        var code = process.HasExited ? process.ExitCode : 137;
        if (execution.StopReason is { } reason)
        {
            return new StepOutcome(reason, code == 0 ? 255 : code, Join(execution.StopMessage, consoleNote), startedAt, endedAt) { Outputs = outputs };
        }

        return new StepOutcome(ExecState.Stop, code, Join(code == 0 ? "" : $"exit code: {code}", consoleNote), startedAt, endedAt) { Outputs = outputs };
    }

    /// <summary>The step's outputs file, bounded and masked; a file that cannot be read costs its outputs only.</summary>
    private async Task<(IReadOnlyList<string> Outputs, string Note)> ReadOutputsAsync(string path, StepOutput output, ExecutionRequest request)
    {
        try
        {
            return await StepOutputFile.ReadAsync(path, output.Mask);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogOutputsUnreadable(_logger, ex, request.TaskId, request.StepName);
            return ([], "outputs: the output file could not be read");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} step {StepName}: its output file could not be read")]
    private static partial void LogOutputsUnreadable(ILogger logger, Exception ex, string taskId, string stepName);

    private static string Join(string? message, string note) =>
        string.IsNullOrEmpty(note) ? message ?? "" : string.IsNullOrEmpty(message) ? note : $"{message}; {note}";

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} step {StepName}: console lines could not be stored; the step's result is kept")]
    private static partial void LogConsoleIncomplete(ILogger logger, Exception ex, string taskId, string stepName);

    private static Timer StartTimeout(Execution execution, ExecutionRequest request) => new(
        _ => execution.Stop(ExecState.Timeout, $"timed out after {GoDuration.Format(request.Timeout)}"),
        null, Clamp(request.Timeout), Timeout.InfiniteTimeSpan);

    /// <summary>An in-process kind: the same slot, registry marker, start report and timeout as a process.</summary>
    private async Task<StepOutcome> RunKindAsync(Execution execution, ExecutionRequest request, IStepKind kind, Dictionary<string, string> variables)
    {
        var startedAt = _clock.GetUtcNow();
        if (execution.StopToken.IsCancellationRequested)
        {
            return new StepOutcome(execution.StopReason!.Value, 255, execution.StopMessage + " (before it started)", null, startedAt);
        }

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        StepEnvironment.Apply(environment, request.Env, variables);
        _registry.Starting(request.Run, request.TaskId, request.StepName);
        LogStartedKind(_logger, request.TaskId, request.StepName, kind.Name);
        NotifyStarted(request, startedAt);
        using var timeout = StartTimeout(execution, request);
        return await _plugins.RunAsync(execution, request, kind, environment.ToDictionary(e => e.Key, e => e.Value ?? "", StringComparer.Ordinal), startedAt);
    }

    /// <summary>Gives an executable plugin its step on stdin (scripts get an empty stdin); a plugin that does not read it is fine.</summary>
    private static async Task WriteInputAsync(Process process, string? input)
    {
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The plugin exited or closed its stdin without reading it all.
        }
        catch (ObjectDisposedException)
        {
            // The run already ended.
        }
    }

    private static ProcessStartInfo BuildStartInfo(string executable, IReadOnlyList<string> arguments, string workspace)
    {
        var psi = new ProcessStartInfo
        {
            WorkingDirectory = workspace,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (SetSid is not null)
        {
            // setsid: own session and process group (pgid = pid). sh then execs the interpreter with
            // stderr on the stdout pipe, so both streams keep one order, and with the usual umask
            // (the service itself runs with 077 so its own files stay private).
            psi.FileName = SetSid;
            psi.ArgumentList.Add("/bin/sh");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("umask 022; exec \"$0\" \"$@\" 2>&1");
        }
        else
        {
            psi.FileName = executable;
        }

        if (SetSid is not null)
        {
            psi.ArgumentList.Add(executable);
        }

        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        return psi;
    }

    /// <summary>The <c>TASK_*</c> variables of a step; <c>TASK_STEP_SCRIPT_PATH</c> only for scripts.</summary>
    private Dictionary<string, string> TaskVariables(ExecutionRequest request, string workspace, string scriptDir, string? script)
    {
        var variables = new Dictionary<string, string>
        {
            ["TASK_ID"] = request.TaskId,
            ["TASK_STEP_ID"] = request.StepName,
            ["TASK_WORKSPACE"] = workspace,
            ["TASK_STEP_SCRIPT_DIR"] = scriptDir,
            ["TASK_NODE"] = _options.Node,
        };
        if (script is not null)
        {
            variables["TASK_STEP_SCRIPT_PATH"] = script;
        }

        return variables;
    }

    private async Task KillTreeAsync(Process process, int pgid)
    {
        if (pgid > 0)
        {
            // A kill right after the spawn may come before setsid ran: signal the group only once it exists.
            await ProcessGroup.SignalLeaderAsync(process, ProcessGroup.SigTerm, ProcessGroup.LeaderSettle);
            using var grace = new CancellationTokenSource(_options.KillGrace);
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                // It ignored SIGTERM: SIGKILL below.
            }

            await ProcessGroup.SignalLeaderAsync(process, ProcessGroup.SigKill, ProcessGroup.LeaderSettle);
        }
        else
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        // Bounded: a process stuck in the kernel (uninterruptible I/O) must not hold the run, or a stop, forever.
        using var reaped = new CancellationTokenSource(FinalWait);
        try
        {
            await process.WaitForExitAsync(reaped.Token);
        }
        catch (OperationCanceledException)
        {
            LogNotReaped(_logger, process.Id);
        }
    }

    private static readonly TimeSpan FinalWait = TimeSpan.FromSeconds(10);

    private void NotifyStarted(ExecutionRequest request, DateTimeOffset at)
    {
        try
        {
            RequestContext.Set(Placement.NodePlacement.ContextKey, _options.Node);
            _ = _grains.GetStep(_options.Node, request.TaskId, request.StepName).ReportStarted(request.Run, at);
        }
        catch (Exception ex)
        {
            LogReportFailed(_logger, ex, request.TaskId, request.StepName);
        }
    }

    private async Task<bool> ReportAsync(ExecutionRequest request, StepOutcome outcome)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                RequestContext.Set(Placement.NodePlacement.ContextKey, _options.Node);
                await _grains.GetStep(_options.Node, request.TaskId, request.StepName).ReportExit(request.Run, outcome);
                return true;
            }
            catch (Exception ex) when (attempt < 8)
            {
                LogReportFailed(_logger, ex, request.TaskId, request.StepName);
                await Task.Delay(delay);
                delay *= 2;
            }
            catch (Exception ex)
            {
                // The step grain recovers on its next activation: the run is unknown here, so it becomes -999.
                LogReportFailed(_logger, ex, request.TaskId, request.StepName);
                return false;
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : timeout > TimeSpan.FromDays(49) ? TimeSpan.FromDays(49) : timeout;

    private static string? FindSetSid()
    {
        foreach (var path in new[] { "/usr/bin/setsid", "/bin/setsid" })
        {
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Killed {Count} step process groups left behind by a previous run of this node")]
    private static partial void LogReaped(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {TaskId}/{StepName} started as pid {Pid}")]
    private static partial void LogStarted(ILogger logger, string taskId, string stepName, int pid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {TaskId}/{StepName} started as kind {Kind}")]
    private static partial void LogStartedKind(ILogger logger, string taskId, string stepName, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {TaskId}/{StepName} could not be run")]
    private static partial void LogRunFailed(ILogger logger, Exception ex, string taskId, string stepName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting step {TaskId}/{StepName} to its grain failed")]
    private static partial void LogReportFailed(ILogger logger, Exception ex, string taskId, string stepName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Process {Pid} did not exit after SIGKILL; its run is reported without it")]
    private static partial void LogNotReaped(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {TaskId}/{StepName}: a process outside its group still holds its output pipe; output after exit is dropped")]
    private static partial void LogPipeHeld(ILogger logger, string taskId, string stepName);
}
