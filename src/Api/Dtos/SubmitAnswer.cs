using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>Answer to a submit.</summary>
public sealed record SubmitAnswer(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("count")] int Count);
