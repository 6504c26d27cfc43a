using System.Text.Json.Serialization;

namespace RemoteExecutor.Api;

/// <summary>The response envelope of every JSON answer.</summary>
/// <param name="Code">Business code: 0 success, 500, 1000-1005.</param>
/// <param name="Message">The error text, else the code's name.</param>
/// <param name="Timestamp">Unix time in nanoseconds.</param>
/// <param name="Data">The payload, or null.</param>
public sealed record Envelope<T>(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("data")] T? Data);
