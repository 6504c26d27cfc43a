namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A webhook of a task: where to POST its events, which ones (empty: all), and the HMAC secret (empty: unsigned; sealed once stored).</summary>
[GenerateSerializer, Immutable, Alias("re.HookSpec")]
public sealed record HookSpec
{
    [Id(0)] public required string Url { get; init; }
    [Id(1)] public IReadOnlyList<string> Events { get; init; } = [];
    [Id(2)] public string Secret { get; init; } = "";

    /// <summary>Whether this hook wants events of <paramref name="type"/>.</summary>
    public bool Wants(string type) => Events.Count == 0 || Events.Contains(type, StringComparer.Ordinal);
}
