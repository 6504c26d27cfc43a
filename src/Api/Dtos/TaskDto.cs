using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A whole task (v2 submit).</summary>
public sealed class TaskDto
{
    [Description("Task id: only letters, digits and CJK ideographs are kept; empty = a new time-sortable id.")]
    [JsonPropertyName("id")] public string? Id { get; set; }
    [Description("Go duration for the whole task.")]
    [JsonPropertyName("timeout")] public string? Timeout { get; set; }
    [Description("NAME=value entries for every step; SECRET:NAME=value hides the value in answers and output.")]
    [JsonPropertyName("env_vars")] public List<string>? EnvVars { get; set; }
    [Description("true: run as a DAG from depends_on; false: in array order.")]
    [JsonPropertyName("async")] public bool Async { get; set; }
    [Description("Node that runs the task (cluster); default: the node receiving the request. Exclusive with targets.")]
    [JsonPropertyName("node")] public string? Node { get; set; }
    [Description("Fan-out: run the whole task on each of these nodes, e.g. {\"labels\": {\"role\": \"web\"}, \"max_parallel\": 2, \"max_errors\": \"10%\"}. Exclusive with node.")]
    [JsonPropertyName("targets")] public TargetsDto? Targets { get; set; }
    [Description("At most this many of the task's steps run at once (at least 1), whatever the pool size; empty = no bound. Example: 2.")]
    [JsonPropertyName("max_parallel")] public int? MaxParallel { get; set; }
    [Description("Start the task at this RFC 3339 time (with its zone), at most --key_expire ahead; the task is accepted at once and waits as pending. Example: 2026-12-01T08:00:00Z.")]
    [JsonPropertyName("run_at")] public string? RunAt { get; set; }
    [Description("Start the task this long after it is accepted (Go duration, at most --key_expire); exclusive with run_at. Example: 10m.")]
    [JsonPropertyName("delay")] public string? Delay { get; set; }
    [Description("Webhooks: each {url, events, secret} receives the task's events as signed CloudEvents POSTs.")]
    [JsonPropertyName("hooks")] public List<HookDto>? Hooks { get; set; }
    [Description("The steps, in order (or wired by depends_on when async is true).")]
    [JsonPropertyName("step")] public List<StepDto>? Step { get; set; }
}
