namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The end of one step's console output: at most the lines asked for and <see cref="MaxBytes"/> bytes.</summary>
[GenerateSerializer, Immutable, Alias("re.ConsoleTail")]
public sealed record ConsoleTail(
    [property: Id(0)] string Step,
    [property: Id(1)] long Total,
    [property: Id(2)] IReadOnlyList<string> Lines)
{
    /// <summary>Most bytes (UTF-8, with a newline per line) a tail holds, so a step's <c>msg</c> stays small.</summary>
    public const int MaxBytes = 64 * 1024;
}
