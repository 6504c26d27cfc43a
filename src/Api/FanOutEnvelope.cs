using System.Text.Json.Serialization;
using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Api;

/// <summary>The detail answer of a fan-out task: the envelope with the steps in <c>data</c> and one run per node in <c>runs</c>.</summary>
public sealed record FanOutEnvelope(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("timestamp")] long Timestamp,
    [property: JsonPropertyName("data")] IReadOnlyList<StepDetail> Data,
    [property: JsonPropertyName("runs")] IReadOnlyList<RunDetail> Runs);
