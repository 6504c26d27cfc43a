using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A worker pool.</summary>
public sealed record PoolDto(
    [property: JsonPropertyName("size")] int Size,
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("running")] int Running,
    [property: JsonPropertyName("waiting")] int Waiting)
{
    public static PoolDto Of(PoolInfo p) => new(p.Size, p.Total, p.Running, p.Waiting);
}
