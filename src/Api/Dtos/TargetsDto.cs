using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>The nodes a fan-out task runs on (the submit field <c>targets</c>): one of nodes, labels or all, with limits.</summary>
public sealed class TargetsDto
{
    [Description("Run on these nodes (by name). A named node that is not live gets a run that ends at once: -999 \"node X unreachable\".")]
    [JsonPropertyName("nodes")] public List<string>? Nodes { get; set; }
    [Description("Run on every live node that has all these labels (--label key=value). Example: {\"role\": \"web\"}.")]
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    [Description("true: run on every live node.")]
    [JsonPropertyName("all")] public bool? All { get; set; }
    [Description("At most this many nodes run the task at once (at least 1); empty = all at once.")]
    [JsonPropertyName("max_parallel")] public int? MaxParallel { get; set; }
    [Description("Failed nodes tolerated: a count (0 = stop at the first failure) or a percentage of the nodes (\"10%\", rounded down); past it the nodes not started yet are skipped and the task fails. Empty = no limit.")]
    [JsonPropertyName("max_errors")] public JsonElement? MaxErrors { get; set; }
}
