using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>One console line.</summary>
public sealed record ConsoleLineDto(
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("line")] long Line,
    [property: JsonPropertyName("content")] string Content);
