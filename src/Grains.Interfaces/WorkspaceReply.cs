namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Outcome of a workspace file operation on the task's node.</summary>
/// <param name="Problem">Why nothing was done, or <see cref="WorkspaceProblem.None"/>.</param>
/// <param name="Message">What a client is told when there is a problem.</param>
/// <param name="Upload">The upload id <c>BeginUpload</c> hands out.</param>
/// <param name="Length">Size in bytes of the file a stat names.</param>
/// <param name="Modified">Last write time of the file a stat names.</param>
[GenerateSerializer, Immutable, Alias("re.WorkspaceReply")]
public sealed record WorkspaceReply(
    [property: Id(0)] WorkspaceProblem Problem,
    [property: Id(1)] string Message,
    [property: Id(2)] string? Upload = null,
    [property: Id(3)] long Length = 0,
    [property: Id(4)] DateTimeOffset Modified = default)
{
    public static readonly WorkspaceReply Done = new(WorkspaceProblem.None, "");

    public bool IsDone => Problem == WorkspaceProblem.None;
}
