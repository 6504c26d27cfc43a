using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>One step in a task's detail.</summary>
public sealed record StepDetail(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("state")] int State,
    [property: JsonPropertyName("manager")] string Manager,
    [property: JsonPropertyName("workspace")] string Workspace,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("timeout")] string Timeout,
    [property: JsonPropertyName("depends_on")] IReadOnlyList<string> DependsOn,
    [property: JsonPropertyName("command_type")] string CommandType,
    [property: JsonPropertyName("env_vars")] IReadOnlyList<string> EnvVars,
    [property: JsonPropertyName("command_content")] string CommandContent,
    [property: JsonPropertyName("times")] Times Times,
    [property: JsonPropertyName("when")] string When,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("outputs")] IReadOnlyDictionary<string, string> Outputs)
{
    /// <summary>A fan-out task: this step on each target node (absent for any other task).</summary>
    [JsonPropertyName("nodes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<StepNodeState>? Nodes { get; init; }
}
