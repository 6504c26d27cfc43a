using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// Request bodies the API reads are JSON. Refusing every other <c>Content-Type</c> (and a body without one) means a
/// web page cannot send a state change as a "simple" cross-site request (form, text/plain, multipart, an untyped blob):
/// those are exactly the bodies a browser sends without asking the server first. The v2 submit also reads YAML
/// (<see cref="Yaml"/>): none of those types is one a browser sends cross-site without a preflight. The workspace upload
/// reads application/octet-stream (never sent by a form; a preflight for fetch) and multipart/form-data, which a form
/// can send: <see cref="RequestGuards"/> lets the latter through only where a browser cannot forge the request.
/// </summary>
public static class BodyMediaType
{
    /// <summary>The header value a client should send, for messages.</summary>
    public const string Expected = "application/json";

    /// <summary>The YAML media types a route marked with <see cref="YamlBodyMetadata"/> also reads.</summary>
    public static readonly IReadOnlyList<string> Yaml = ["application/yaml", "application/x-yaml", "text/yaml"];

    /// <summary>True for methods that never change anything and are not checked.</summary>
    public static bool IsSafeMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>True for <c>application/json</c> and <c>application/*+json</c>, with any parameters (charset).</summary>
    public static bool IsAccepted(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType is not { } media)
        {
            return false;
        }

        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (media.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True for <c>multipart/form-data</c> (the upload route's form body).</summary>
    public static bool IsMultipart(string? contentType) => Is(contentType, "multipart/form-data");

    /// <summary>True for <c>application/octet-stream</c> (the upload route's raw body).</summary>
    public static bool IsOctetStream(string? contentType) => Is(contentType, "application/octet-stream");

    private static bool Is(string? contentType, string expected) =>
        !string.IsNullOrWhiteSpace(contentType) && MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && string.Equals(parsed.MediaType, expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the <see cref="Yaml"/> media types, with any parameters (charset).</summary>
    public static bool IsYaml(string? contentType) =>
        !string.IsNullOrWhiteSpace(contentType) && MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType is { } media
        && Yaml.Contains(media, StringComparer.OrdinalIgnoreCase);
}
