namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A live node of the cluster as this silo sees it, with its labels (<c>--label</c>).</summary>
[GenerateSerializer, Immutable, Alias("re.NodeInfo")]
public sealed record NodeInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string Address,
    [property: Id(2)] string Status)
{
    [Id(3)] public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
