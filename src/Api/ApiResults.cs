using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api;

/// <summary>Builds envelope answers with the honest HTTP status of each business code.</summary>
public static class ApiResults
{
    public static long Now() => (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static IResult Ok<T>(T data, ResultCode code = ResultCode.Success, string? message = null) =>
        TypedResults.Json(new Envelope<T>((int)code, message ?? Name(code), Now(), data), statusCode: Status(code));

    public static IResult Error(ResultCode code, string message, int? status = null) =>
        TypedResults.Json(new Envelope<object>((int)code, message, Now(), null), statusCode: status ?? Status(code));

    public static IResult From(OpResult result, object? data = null) =>
        result.IsSuccess
            ? Ok(data, result.Code, result.Message)
            : Error(result.Code, result.Message, result.Conflict ? StatusCodes.Status409Conflict : null);

    public static int Status(ResultCode code) => code switch
    {
        ResultCode.ParameterError => StatusCodes.Status400BadRequest,
        ResultCode.NotFound => StatusCodes.Status404NotFound,
        ResultCode.InternalError => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status200OK,
    };

    public static string Name(ResultCode code) => StepText.Name(code);
}
