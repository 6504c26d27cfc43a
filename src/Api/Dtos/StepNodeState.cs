using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A step of a fan-out task on one node (the step's <c>nodes</c> in the detail).</summary>
public sealed record StepNodeState(
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("state")] int State,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("msg")] string Msg);
