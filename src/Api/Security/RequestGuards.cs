using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// Browser-borne requests (CSRF, DNS rebinding) kept out, in every mode: a foreign <c>Host</c> when the server checks
/// hosts (<c>--insecure</c>), an <c>Origin</c> not allowed, a state change whose body is not JSON (or YAML, on routes marked with <see cref="YamlBodyMetadata"/>;
/// or a file, on routes marked with <see cref="UploadBodyMetadata"/>, where a multipart form needs the token or, in insecure mode, no <c>Origin</c>).
/// </summary>
public static class RequestGuards
{
    public static WebApplication UseRequestGuards(this WebApplication app, ApiOptions options)
    {
        app.Use(async (context, next) =>
        {
            if (Refusal(context, options) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            await next(context);
        });
        return app;
    }

    private static IResult? Refusal(HttpContext context, ApiOptions options)
    {
        var request = context.Request;
        if (options.Hosts is { } hosts && !hosts.Allows(request.Host))
        {
            return ApiResults.Error(ResultCode.ParameterError,
                $"Host \"{Shorten(request.Host.Value)}\" is not a name this server answers in --insecure mode; " +
                "use localhost, 127.0.0.1 or [::1] with the port, or add the name to --allowed_hosts",
                StatusCodes.Status421MisdirectedRequest);
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !options.Origins.Allows(origin, request.Scheme, request.Host))
        {
            return ApiResults.Error(ResultCode.ParameterError,
                $"requests from the web origin \"{Shorten(origin)}\" are not allowed; add it to --allowed_origins to allow them",
                StatusCodes.Status403Forbidden);
        }

        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        var metadata = context.GetEndpoint()?.Metadata;
        var yaml = metadata?.GetMetadata<YamlBodyMetadata>() is not null;
        var upload = metadata?.GetMetadata<UploadBodyMetadata>() is not null;
        if (upload && BodyMediaType.IsMultipart(request.ContentType) && options.Token is null && origin.Length > 0)
        {
            // Without a token, a form on any page the operator visits could post here; only its Origin gives it away.
            return ApiResults.Error(ResultCode.ParameterError,
                "in --insecure mode a multipart upload is accepted only from clients that send no Origin (not from web pages); " +
                "send the file as Content-Type: application/octet-stream",
                StatusCodes.Status403Forbidden);
        }

        if (hasBody && !BodyMediaType.IsSafeMethod(request.Method) && !BodyMediaType.IsAccepted(request.ContentType)
            && !(yaml && BodyMediaType.IsYaml(request.ContentType))
            && !(upload && (BodyMediaType.IsOctetStream(request.ContentType) || BodyMediaType.IsMultipart(request.ContentType))))
        {
            return ApiResults.Error(ResultCode.ParameterError,
                $"the body must be JSON: send the header Content-Type: {BodyMediaType.Expected} " +
                $"(got {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"\"{Shorten(request.ContentType)}\"")})",
                StatusCodes.Status415UnsupportedMediaType);
        }

        return null;
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200] + "...";
}
