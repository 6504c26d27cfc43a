namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The files and folders below one folder of a task's workspace, or why there are none to show.</summary>
[GenerateSerializer, Immutable, Alias("re.WorkspaceListing")]
public sealed record WorkspaceListing(
    [property: Id(0)] WorkspaceReply Reply,
    [property: Id(1)] IReadOnlyList<WorkspaceEntry> Entries);
