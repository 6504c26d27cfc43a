using System.Text.Json.Serialization;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One event on its way to one webhook: where, how often tried, and how the last try went.</summary>
[GenerateSerializer, Immutable, Alias("re.HookDelivery")]
public sealed record HookDelivery
{
    [Id(0)][JsonPropertyName("id")] public long EventId { get; init; }
    [Id(1)][JsonPropertyName("type")] public required string Type { get; init; }
    [Id(2)][JsonPropertyName("step")] public required string Step { get; init; }
    [Id(3)][JsonPropertyName("url")] public required string Url { get; init; }
    /// <summary>pending, delivered or failed (given up after --webhook_retry).</summary>
    [Id(4)][JsonPropertyName("state")] public required string State { get; init; }
    [Id(5)][JsonPropertyName("attempts")] public int Attempts { get; init; }
    /// <summary>HTTP status of the last try; 0 when none came back.</summary>
    [Id(6)][JsonPropertyName("status")] public int Status { get; init; }
    [Id(7)][JsonPropertyName("error")] public required string Error { get; init; }
}
