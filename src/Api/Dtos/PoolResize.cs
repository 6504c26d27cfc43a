using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>Body of a pool resize.</summary>
/// <param name="Size">The new pool size: how many steps may run at once on the node (at least 1).</param>
public sealed record PoolResize([property: JsonPropertyName("size")] int Size);
