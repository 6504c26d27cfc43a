using Microsoft.Extensions.Logging;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Tells a step's grain (on this node) that its run started and how it ended, retrying the end report; the run
/// registry then forgets the run, or remembers it as lost when its grain never heard.
/// </summary>
internal sealed partial class StepReporter(IGrainFactory grains, EngineOptions options, RunRegistry registry, ILogger logger)
{
    private const int ReportAttempts = 8;

    /// <summary>One-way: a failed start report costs the running state's early display, not the run.</summary>
    public void NotifyStarted(ExecutionRequest request, DateTimeOffset at)
    {
        try
        {
            RequestContext.Set(Placement.NodePlacement.ContextKey, options.Node);
            _ = grains.GetStep(options.Node, request.TaskId, request.StepName).ReportStarted(request.Run, at);
        }
        catch (Exception ex)
        {
            LogReportFailed(logger, ex, request.TaskId, request.StepName);
        }
    }

    /// <summary>Reports the outcome, then clears the run's registry marker or marks it lost.</summary>
    public async Task ReportExitAsync(ExecutionRequest request, StepOutcome outcome)
    {
        if (await ReportAsync(request, outcome))
        {
            registry.Done(request.Run, request.StepName);
        }
        else
        {
            // The step ran but its grain never heard: it must resolve as lost (-999), never run again.
            registry.MarkLost(request.Run, request.StepName);
        }
    }

    private async Task<bool> ReportAsync(ExecutionRequest request, StepOutcome outcome)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                RequestContext.Set(Placement.NodePlacement.ContextKey, options.Node);
                await grains.GetStep(options.Node, request.TaskId, request.StepName).ReportExit(request.Run, outcome);
                return true;
            }
            catch (Exception ex) when (attempt < ReportAttempts)
            {
                LogReportFailed(logger, ex, request.TaskId, request.StepName);
                await Task.Delay(delay);
                delay *= 2;
            }
            catch (Exception ex)
            {
                // The step grain recovers on its next activation: the run is unknown here, so it becomes -999.
                LogReportFailed(logger, ex, request.TaskId, request.StepName);
                return false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting step {TaskId}/{StepName} to its grain failed")]
    private static partial void LogReportFailed(ILogger logger, Exception ex, string taskId, string stepName);
}
