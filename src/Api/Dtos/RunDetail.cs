using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>One node's run of a fan-out task (detail <c>runs</c>).</summary>
public sealed record RunDetail(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("state")] int State,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("start_time")] string StartTime,
    [property: JsonPropertyName("end_time")] string EndTime,
    [property: JsonPropertyName("result")] int Result);
