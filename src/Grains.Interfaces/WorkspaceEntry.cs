namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One file or folder in a task's workspace.</summary>
[GenerateSerializer, Immutable, Alias("re.WorkspaceEntry")]
public sealed record WorkspaceEntry(
    [property: Id(0)] string Path,
    [property: Id(1)] bool IsDirectory,
    [property: Id(2)] long Size,
    [property: Id(3)] DateTimeOffset Modified);
