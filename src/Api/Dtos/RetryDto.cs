using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A step's <c>retry</c> field as clients send it.</summary>
public sealed class RetryDto
{
    [Description("How many times a failed attempt runs again (0..100); the step runs at most limit+1 times. Example: 3.")]
    [JsonPropertyName("limit")] public int? Limit { get; set; }
    [Description("Go duration waited before the first retry; each later wait doubles, up to max_backoff. Default 1s. Example: 2s.")]
    [JsonPropertyName("backoff")] public string? Backoff { get; set; }
    [Description("Go duration: the longest wait between attempts. Default 10m. Example: 1m.")]
    [JsonPropertyName("max_backoff")] public string? MaxBackoff { get; set; }
    [Description("Exit codes (1..255) that are retried; empty or absent = every non-zero exit code. Example: [1, 75].")]
    [JsonPropertyName("on_exit_codes")] public List<int>? OnExitCodes { get; set; }
    [Description("Whether an attempt that hit the step timeout is retried. Default true. A kill is never retried.")]
    [JsonPropertyName("on_timeout")] public bool? OnTimeout { get; set; }
}
