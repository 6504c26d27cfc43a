using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>One task in the list.</summary>
public sealed record TaskListItem(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("state")] int State,
    [property: JsonPropertyName("manager")] string Manager,
    [property: JsonPropertyName("workspace")] string Workspace,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("env_vars")] IReadOnlyList<string> EnvVars,
    [property: JsonPropertyName("timeout")] string Timeout,
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("times")] Times Times)
{
    /// <summary>A fan-out task: its number of target nodes (absent for any other task).</summary>
    [JsonPropertyName("nodes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Nodes { get; init; }
}
