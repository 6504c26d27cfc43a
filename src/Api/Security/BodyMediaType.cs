using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// Request bodies the API reads are JSON. Refusing every other <c>Content-Type</c> (and a body without one) means a
/// web page cannot send a state change as a "simple" cross-site request (form, text/plain, multipart, an untyped blob):
/// those are exactly the bodies a browser sends without asking the server first.
/// </summary>
public static class BodyMediaType
{
    /// <summary>The header value a client should send, for messages.</summary>
    public const string Expected = "application/json";

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
}
