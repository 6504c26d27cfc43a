namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The end of one step's console output.</summary>
[GenerateSerializer, Immutable, Alias("re.ConsoleTail")]
public sealed record ConsoleTail(
    [property: Id(0)] string Step,
    [property: Id(1)] long Total,
    [property: Id(2)] IReadOnlyList<string> Lines);
