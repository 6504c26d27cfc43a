using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A whole task (v2 submit).</summary>
public sealed class TaskDto
{
    /// <summary>Task id: only letters, digits and CJK ideographs are kept; empty = a new time-sortable id.</summary>
    [JsonPropertyName("id")] public string? Id { get; set; }
    /// <summary>Go duration for the whole task.</summary>
    [JsonPropertyName("timeout")] public string? Timeout { get; set; }
    /// <summary>NAME=value entries for every step; SECRET:NAME=value hides the value in answers and output.</summary>
    [JsonPropertyName("env_vars")] public List<string>? EnvVars { get; set; }
    /// <summary>true: run as a DAG from depends_on; false: in array order.</summary>
    [JsonPropertyName("async")] public bool Async { get; set; }
    /// <summary>Node that runs the task (cluster); default: the node receiving the request.</summary>
    [JsonPropertyName("node")] public string? Node { get; set; }
    /// <summary>The steps, in order (or wired by depends_on when async is true).</summary>
    [JsonPropertyName("step")] public List<StepDto>? Step { get; set; }
}
