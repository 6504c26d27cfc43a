namespace RemoteExecutor.Grains;

/// <summary>One pause of a running task: of the whole task (<see cref="Step"/> null) or of one step not yet started.</summary>
[GenerateSerializer, Alias("re.PauseHold")]
public sealed class PauseHold
{
    [Id(0)] public string? Step { get; set; }
    /// <summary>When the pause ends by itself; null = until resumed.</summary>
    [Id(1)] public DateTimeOffset? Until { get; set; }
}
