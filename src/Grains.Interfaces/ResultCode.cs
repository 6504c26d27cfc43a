namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Business codes of the response envelope.</summary>
public enum ResultCode
{
    Success = 0,
    InternalError = 500,
    ParameterError = 1000,
    InProgress = 1001,
    ExecutionFailed = 1002,
    NotFound = 1003,
    Pending = 1004,
    Paused = 1005,
}
