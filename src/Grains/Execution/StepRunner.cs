using System.Collections;
using System.ComponentModel;
using System.Text;
using Microsoft.Extensions.Logging;
using RemoteExecutor.Grains.Execution.Spawning;
using RemoteExecutor.Grains.Plugins;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Runs one step in the pool slot the supervisor holds for it: a script through its interpreter, an executable
/// plugin as a process, or an in-process kind through <see cref="PluginRunner"/>. It writes the script, sets the
/// step's environment, records the run in the registry, starts the process (<see cref="StepSpawners"/>), pumps the
/// output, enforces the timeout and turns the end into a <see cref="StepOutcome"/>.
/// </summary>
internal sealed partial class StepRunner(
    ReadModelWriter writer,
    EngineOptions options,
    SecretSeal seal,
    StepKindRegistry kinds,
    RunRegistry registry,
    StepReporter reporter,
    TaskFolders folders,
    TimeProvider clock,
    ILogger logger)
{
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(5);

    private readonly IStepSpawner _spawner = StepSpawners.Current.Spawner;
    private readonly PluginRunner _plugins = new(writer, options, clock, logger);

    public async Task<StepOutcome> RunAsync(Execution execution)
    {
        ExecutionRequest request;
        try
        {
            request = seal.Open(execution.Request);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or FormatException)
        {
            return new StepOutcome(ExecState.SystemError, 255,
                "a secret of this task could not be decrypted with this node's key (was <root>/data/secret.key replaced?)", null, clock.GetUtcNow());
        }

        var workspace = options.WorkspaceDir(request.TaskId);
        var scriptDir = options.ScriptDir(request.TaskId);
        var interpreter = CommandTypes.Find(request.CommandType);
        string? script = null;
        string? input = null;
        string executable;
        List<string> arguments;
        if (interpreter is null)
        {
            // Not a script: a step kind. In-process kinds run here; an executable plugin is started like an interpreter.
            var kind = kinds.Find(request.CommandType);
            if (kind is null)
            {
                return new StepOutcome(ExecState.SystemError, 255,
                    $"command_type {request.CommandType} is neither a script type nor a step kind of node {options.Node} (was its plugin removed?)", null, clock.GetUtcNow());
            }

            if (kind.Executable is null)
            {
                folders.Prepare(request.TaskId);
                if (!Directory.Exists(workspace))
                {
                    // An earlier step of the task removed it.
                    folders.Restore(request.TaskId);
                }

                return await RunKindAsync(execution, request, kind.Kind, TaskVariables(request, workspace, scriptDir, null));
            }

            executable = kind.Executable;
            arguments = [];
            input = ExecutablePluginInput.Json(request, workspace, options.Node);
        }
        else
        {
            var resolved = interpreter.Resolve();
            if (resolved is null)
            {
                return new StepOutcome(ExecState.SystemError, 255,
                    $"interpreter \"{string.Join("\" or \"", interpreter.Executables)}\" for command_type {request.CommandType} not found on this host",
                    null, clock.GetUtcNow());
            }

            executable = resolved;
            script = Path.Combine(scriptDir, request.StepName + interpreter.Extension);
            arguments = [.. interpreter.Arguments, script];
        }

        var outputFile = StepOutputFile.PathOf(scriptDir, request.StepName);
        try
        {
            await WriteStepFilesAsync(request, script, outputFile);
        }
        catch (DirectoryNotFoundException)
        {
            // An earlier step of the task removed its script folder or workspace.
            folders.Restore(request.TaskId);
            await WriteStepFilesAsync(request, script, outputFile);
        }

        var variables = TaskVariables(request, workspace, scriptDir, script);
        variables[StepOutputFile.Variable] = outputFile;
        var environment = HostEnvironment();
        StepEnvironment.Apply(environment, request.Env, variables);
        return await RunProcessAsync(execution, request, new StepStart(executable, arguments, workspace, environment), input, outputFile);
    }

    private async Task<StepOutcome> RunProcessAsync(Execution execution, ExecutionRequest request, StepStart start, string? input, string outputFile)
    {
        var startedAt = clock.GetUtcNow();
        IStepProcess started;
        try
        {
            if (execution.StopToken.IsCancellationRequested)
            {
                return new StepOutcome(execution.StopReason!.Value, 255, execution.StopMessage + " (before it started)", null, startedAt);
            }

            registry.Starting(request.Run, request.TaskId, request.StepName);
            started = await StartAsync(request, start);
        }
        catch (Win32Exception ex)
        {
            return new StepOutcome(ExecState.SystemError, 255, $"could not start {start.Executable}: {ex.Message}", null, startedAt);
        }

        using var process = started;
        var pgid = process.Group;
        if (pgid > 0)
        {
            registry.Spawned(request.Run, request.TaskId, request.StepName, pgid);
        }

        LogStarted(logger, request.TaskId, request.StepName, process.Id);
        reporter.NotifyStarted(request, startedAt);
        _ = process.WriteInputAsync(input);

        var output = new StepOutput(writer, request, options, clock);
        var pumps = process.Outputs.Select(output.PumpAsync).ToList();

        using var timeout = StartTimeout(execution, request);
        try
        {
            await process.WaitForExitAsync(execution.StopToken);
            execution.Seal();
        }
        catch (OperationCanceledException)
        {
            if (!await process.KillTreeAsync(options.KillGrace))
            {
                LogNotReaped(logger, process.Id);
            }
        }

        // Background children of the step die with it: nothing it started may outlive it or hold its pipe open.
        process.EndGroup();

        var drained = Task.WhenAll(pumps);
        if (await Task.WhenAny(drained, Task.Delay(DrainWait)) != drained)
        {
            // A grandchild that left the group (setsid) still holds the pipe: stop waiting for it.
            LogPipeHeld(logger, request.TaskId, request.StepName);
            process.CloseOutputs();
        }

        // The console store failing (after the writer's own retries) loses lines, not the step's result.
        var consoleNote = "";
        try
        {
            await output.CompleteAsync();
        }
        catch (StorageUnavailableException ex)
        {
            LogConsoleIncomplete(logger, ex, request.TaskId, request.StepName);
            consoleNote = StepNotes.ConsoleIncomplete;
        }

        var (outputs, outputNote) = await ReadOutputsAsync(outputFile, output, request);
        consoleNote = Join(consoleNote, outputNote);
        var endedAt = clock.GetUtcNow();
        var code = process.HasExited ? process.ExitCode : 137;
        if (execution.StopReason is { } reason)
        {
            return new StepOutcome(reason, code == 0 ? 255 : code, Join(execution.StopMessage, consoleNote), startedAt, endedAt) { Outputs = outputs };
        }

        return new StepOutcome(ExecState.Stop, code, Join(code == 0 ? "" : $"exit code: {code}", consoleNote), startedAt, endedAt) { Outputs = outputs };
    }

    /// <summary>The folders of the task (made with its first step), the step's script, and no outputs file of an earlier attempt.</summary>
    private async Task WriteStepFilesAsync(ExecutionRequest request, string? script, string outputFile)
    {
        folders.Prepare(request.TaskId);
        if (script is not null)
        {
            await File.WriteAllTextAsync(script, request.CommandContent, new UTF8Encoding(false));
        }

        File.Delete(outputFile);
    }

    /// <summary>Starts the process; when an earlier step removed the workspace it is made again, as it was for every step.</summary>
    private async Task<IStepProcess> StartAsync(ExecutionRequest request, StepStart start)
    {
        try
        {
            return await _spawner.StartAsync(start);
        }
        catch (Win32Exception) when (!Directory.Exists(start.WorkingDirectory))
        {
            folders.Restore(request.TaskId);
            return await _spawner.StartAsync(start);
        }
    }

    /// <summary>An in-process kind: the same slot, registry marker, start report and timeout as a process.</summary>
    private async Task<StepOutcome> RunKindAsync(Execution execution, ExecutionRequest request, IStepKind kind, Dictionary<string, string> variables)
    {
        var startedAt = clock.GetUtcNow();
        if (execution.StopToken.IsCancellationRequested)
        {
            return new StepOutcome(execution.StopReason!.Value, 255, execution.StopMessage + " (before it started)", null, startedAt);
        }

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        StepEnvironment.Apply(environment, request.Env, variables);
        registry.Starting(request.Run, request.TaskId, request.StepName);
        LogStartedKind(logger, request.TaskId, request.StepName, kind.Name);
        reporter.NotifyStarted(request, startedAt);
        using var timeout = StartTimeout(execution, request);
        return await _plugins.RunAsync(execution, request, kind, environment.ToDictionary(e => e.Key, e => e.Value ?? "", StringComparer.Ordinal), startedAt);
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
            LogOutputsUnreadable(logger, ex, request.TaskId, request.StepName);
            return ([], "outputs: the output file could not be read");
        }
    }

    /// <summary>A copy of the service's environment, for a step to start from.</summary>
    private static Dictionary<string, string?> HostEnvironment()
    {
        var environment = new Dictionary<string, string?>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value;
        }

        return environment;
    }

    /// <summary>The <c>TASK_*</c> variables of a step; <c>TASK_STEP_SCRIPT_PATH</c> only for scripts.</summary>
    private Dictionary<string, string> TaskVariables(ExecutionRequest request, string workspace, string scriptDir, string? script)
    {
        var variables = new Dictionary<string, string>
        {
            // A fan-out's run on one node is task <id>@<node>: its steps see the fan-out's id, like any task's.
            ["TASK_ID"] = FanOutKey.TaskOf(request.TaskId),
            ["TASK_STEP_ID"] = request.StepName,
            ["TASK_WORKSPACE"] = workspace,
            ["TASK_STEP_SCRIPT_DIR"] = scriptDir,
            ["TASK_NODE"] = options.Node,
        };
        if (script is not null)
        {
            variables["TASK_STEP_SCRIPT_PATH"] = script;
        }

        return variables;
    }

    private static Timer StartTimeout(Execution execution, ExecutionRequest request) => new(
        _ => execution.Stop(ExecState.Timeout, $"timed out after {GoDuration.Format(request.Timeout)}"),
        null, Clamp(request.Timeout), Timeout.InfiniteTimeSpan);

    private static TimeSpan Clamp(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : timeout > TimeSpan.FromDays(49) ? TimeSpan.FromDays(49) : timeout;

    private static string Join(string? message, string note) =>
        string.IsNullOrEmpty(note) ? message ?? "" : string.IsNullOrEmpty(message) ? note : $"{message}; {note}";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {TaskId}/{StepName} started as pid {Pid}")]
    private static partial void LogStarted(ILogger logger, string taskId, string stepName, int pid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Step {TaskId}/{StepName} started as kind {Kind}")]
    private static partial void LogStartedKind(ILogger logger, string taskId, string stepName, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Process {Pid} did not exit after SIGKILL; its run is reported without it")]
    private static partial void LogNotReaped(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {TaskId}/{StepName}: a process outside its group still holds its output pipe; output after exit is dropped")]
    private static partial void LogPipeHeld(ILogger logger, string taskId, string stepName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} step {StepName}: console lines could not be stored; the step's result is kept")]
    private static partial void LogConsoleIncomplete(ILogger logger, Exception ex, string taskId, string stepName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} step {StepName}: its output file could not be read")]
    private static partial void LogOutputsUnreadable(ILogger logger, Exception ex, string taskId, string stepName);
}
