using System.Text.Json.Serialization;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// Something that happened to a task or one of its steps: <see cref="Type"/> is the event name
/// (<c>task.accepted</c>, <c>step.started</c>, ...), the rest is the event's data. <see cref="Step"/> is empty for task events.
/// </summary>
public sealed record TaskEvent(
    [property: JsonIgnore] string Type,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("state")] int State,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("msg")] string Msg,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("time")] string Time)
{
    /// <summary>Names the event within its task: a reconnecting client can drop what it already has.</summary>
    /// <remarks>A fan-out's <c>run.*</c> events are one per node: the node names them.</remarks>
    [JsonIgnore]
    public string Key => Type.StartsWith("run.", StringComparison.Ordinal) ? $"{Type}@{Node}" : Step.Length == 0 ? Type : $"{Type}:{Step}";
}
