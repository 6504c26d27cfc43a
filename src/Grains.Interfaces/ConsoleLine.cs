namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One line of a step's console output.</summary>
[GenerateSerializer, Immutable, Alias("re.ConsoleLine")]
public sealed record ConsoleLine(
    [property: Id(0)] long Line,
    [property: Id(1)] long Timestamp,
    [property: Id(2)] string Content);
