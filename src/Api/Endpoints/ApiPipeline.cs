using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>Error mapping in one place: unknown routes, wrong methods, oversized bodies, failures, timeouts.</summary>
public static partial class ApiPipeline
{
    /// <summary>Envelope for every error the endpoints themselves do not answer.</summary>
    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var ex = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("RemoteExecutor.Api");
            IResult result = ex switch
            {
                PayloadTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                    ApiResults.Error(ResultCode.ParameterError, "request body too large", StatusCodes.Status413PayloadTooLarge),
                BadHttpRequestException bad => ApiResults.Error(ResultCode.ParameterError, $"bad request: {bad.Message}", bad.StatusCode),
                TimeoutException => ApiResults.Error(ResultCode.InternalError, "the request timed out inside the server (--timeout); try again"),
                OperationCanceledException when !context.RequestAborted.IsCancellationRequested =>
                    ApiResults.Error(ResultCode.InternalError, "the request timed out inside the server (--timeout); try again"),
                _ => ApiResults.Error(ResultCode.InternalError, "internal error: " + Describe(ex)),
            };
            if (ex is not PayloadTooLargeException and not BadHttpRequestException)
            {
                LogUnhandled(logger, ex, context.Request.Method, context.Request.Path);
            }

            await result.ExecuteAsync(context);
        }));

        app.UseStatusCodePages(async ctx =>
        {
            var response = ctx.HttpContext.Response;
            if (response.HasStarted || response.ContentLength > 0 || response.ContentType is not null)
            {
                return;
            }

            IResult result = response.StatusCode switch
            {
                StatusCodes.Status404NotFound => ApiResults.Error(ResultCode.NotFound, $"no route for {ctx.HttpContext.Request.Method} {ctx.HttpContext.Request.Path}"),
                StatusCodes.Status405MethodNotAllowed => MethodNotAllowed(ctx.HttpContext.Request),
                StatusCodes.Status413PayloadTooLarge => ApiResults.Error(ResultCode.ParameterError, "request body too large", StatusCodes.Status413PayloadTooLarge),
                var s when s >= 400 => ApiResults.Error(s >= 500 ? ResultCode.InternalError : ResultCode.ParameterError, $"HTTP {s}", s),
                _ => Results.Empty,
            };
            await result.ExecuteAsync(ctx.HttpContext);
        });
        return app;
    }

    /// <summary>The 405 envelope.</summary>
    public static IResult MethodNotAllowed(HttpRequest request) =>
        ApiResults.Error(ResultCode.NotFound, $"method {request.Method} not allowed on {request.Path}", StatusCodes.Status405MethodNotAllowed);

    /// <summary>A message that says what failed without stack traces, paths or connection strings.</summary>
    private static string Describe(Exception? ex) => ex switch
    {
        null => "unknown error",
        Orleans.Runtime.OrleansMessageRejectionException => "the cluster could not deliver the request; try again",
        _ when ex.GetType().Name.Contains("Storage", StringComparison.Ordinal) || ex is System.Data.Common.DbException || ex.InnerException is System.Data.Common.DbException =>
            "the database could not be written or read; nothing was changed",
        _ => ex.GetType().Name,
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception? ex, string method, string path);
}
