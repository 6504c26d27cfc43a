namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The worker pool of one node.</summary>
[GenerateSerializer, Immutable, Alias("re.PoolInfo")]
public sealed record PoolInfo(
    [property: Id(0)] int Size,
    [property: Id(1)] long Total,
    [property: Id(2)] int Running,
    [property: Id(3)] int Waiting);
