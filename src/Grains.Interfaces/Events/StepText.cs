namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The words the API uses for a step's state and for a business code (shared by the routes and the event log).</summary>
public static class StepText
{
    /// <summary>The business code and message the console route answers with for a step in this state.</summary>
    public static (ResultCode Code, string Message) Describe(StepView step) => step.State switch
    {
        ExecState.Pending => (ResultCode.Pending, "pending"),
        ExecState.Running => (ResultCode.InProgress, "in progress"),
        ExecState.Paused => (ResultCode.Paused, step.Message),
        _ when step.Succeeded => (ResultCode.Success, "success"),
        ExecState.Stop => (ResultCode.ExecutionFailed, $"exit code: {step.Code}"),
        _ => (ResultCode.ExecutionFailed, string.IsNullOrEmpty(step.Message) ? step.State.DisplayName() : step.Message),
    };

    /// <summary>The envelope's message for a business code.</summary>
    public static string Name(ResultCode code) => code switch
    {
        ResultCode.Success => "success",
        ResultCode.InternalError => "internal error",
        ResultCode.ParameterError => "parameter error",
        ResultCode.InProgress => "in progress",
        ResultCode.ExecutionFailed => "execution failed",
        ResultCode.NotFound => "data not found or destroyed",
        ResultCode.Pending => "pending",
        ResultCode.Paused => "paused",
        _ => code.ToString(),
    };
}
