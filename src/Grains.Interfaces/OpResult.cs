namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Outcome of a command sent to a grain: a business code and a message.</summary>
[GenerateSerializer, Immutable, Alias("re.OpResult")]
public sealed record OpResult(
    [property: Id(0)] ResultCode Code,
    [property: Id(1)] string Message,
    [property: Id(2)] bool Conflict = false,
    [property: Id(3)] int Count = 0)
{
    public static OpResult Ok(int count = 0) => new(ResultCode.Success, "success", Count: count);
    public static OpResult Invalid(string message) => new(ResultCode.ParameterError, message);
    public static OpResult NotFound(string message) => new(ResultCode.NotFound, message);
    public static OpResult InConflict(string message) => new(ResultCode.InProgress, message, Conflict: true);

    public bool IsSuccess => Code == ResultCode.Success;
}
