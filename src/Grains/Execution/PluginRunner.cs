using System.Text.Json;
using Microsoft.Extensions.Logging;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Runs a step of an in-process kind (built-in or .NET plugin) in the slot the supervisor holds for it. The kind
/// gets the execution's stop token (kill and timeout) and a console whose lines go through <see cref="StepOutput"/>;
/// a kind that ignores the token is waited for <see cref="EngineOptions.KillGrace"/>, then reported without it.
/// </summary>
internal sealed partial class PluginRunner(ReadModelWriter writer, EngineOptions options, TimeProvider clock, ILogger logger)
{
    public async Task<StepOutcome> RunAsync(Execution execution, ExecutionRequest request, IStepKind kind, IReadOnlyDictionary<string, string> environment, DateTimeOffset startedAt)
    {
        var output = new StepOutput(writer, request, options, clock);
        var console = new PipeConsole();
        var pump = output.PumpAsync(console.Output);
        var with = request.With is null ? (JsonElement?)null : JsonDocument.Parse(request.With).RootElement.Clone();
        var context = new StepContext(request.TaskId, request.StepName, options.Node, options.WorkspaceDir(request.TaskId), environment,
            console, new StepDefinition(request.CommandContent, with));

        var run = Task.Run(() => kind.RunAsync(context, execution.StopToken));
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (execution.StopToken.Register(() => stopped.TrySetResult()))
        {
            if (await Task.WhenAny(run, stopped.Task) == run)
            {
                execution.Seal();
            }
            else if (await Task.WhenAny(run, Task.Delay(options.KillGrace)) != run)
            {
                LogAbandoned(logger, request.TaskId, request.StepName, kind.Name);
            }
        }

        await console.DisposeAsync();
        await pump;
        await output.CompleteAsync();
        var endedAt = clock.GetUtcNow();

        int code;
        string message;
        if (!run.IsCompleted || run.IsCanceled)
        {
            (code, message) = (255, "");
        }
        else if (run.Exception is { } failure && execution.StopReason is null)
        {
            var cause = failure.InnerException ?? failure;
            LogKindFailed(logger, cause, request.TaskId, request.StepName, kind.Name);
            return new StepOutcome(ExecState.SystemError, 255, output.Mask($"step kind {kind.Name} failed: {cause.Message}"), startedAt, endedAt);
        }
        else
        {
            (code, message) = run.IsCompletedSuccessfully ? (run.Result.ExitCode, run.Result.Message ?? "") : (255, "");
        }

        if (execution.StopReason is { } reason)
        {
            return new StepOutcome(reason, code == 0 ? 255 : code, execution.StopMessage, startedAt, endedAt);
        }

        return new StepOutcome(ExecState.Stop, code, code == 0 ? "" : output.Mask(message.Length > 0 ? message : $"exit code: {code}"), startedAt, endedAt);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {TaskId}/{StepName}: kind {Kind} did not stop within the kill grace; its run is reported without it")]
    private static partial void LogAbandoned(ILogger logger, string taskId, string stepName, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step {TaskId}/{StepName}: kind {Kind} threw")]
    private static partial void LogKindFailed(ILogger logger, Exception ex, string taskId, string stepName, string kind);
}
