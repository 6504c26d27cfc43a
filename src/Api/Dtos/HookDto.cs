using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A webhook of a task (v2 submit).</summary>
public sealed class HookDto
{
    [Description("Absolute http or https URL that receives each event as a CloudEvents 1.0 JSON POST.")]
    [JsonPropertyName("url")] public string? Url { get; set; }
    [Description("Event types to send (task.accepted, step.started, step.finished, step.skipped, task.finished, task.killed, task.timed_out); empty = all.")]
    [JsonPropertyName("events")] public List<string>? Events { get; set; }
    [Description("HMAC-SHA256 key: each POST carries X-RemoteExecutor-Signature: sha256=<hex of the body's HMAC>. Stored sealed, never shown.")]
    [JsonPropertyName("secret")] public string? Secret { get; set; }
}
