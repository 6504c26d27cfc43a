namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Why a workspace file operation did nothing (<see cref="None"/> = it did).</summary>
public enum WorkspaceProblem
{
    /// <summary>Done.</summary>
    None = 0,

    /// <summary>The task has no workspace folder on its node (yet, or any more).</summary>
    NoWorkspace = 1,

    /// <summary>Nothing at that path.</summary>
    NotFound = 2,

    /// <summary>The path is not allowed: <c>..</c>, absolute, or a link on the way leads outside the workspace.</summary>
    BadPath = 3,

    /// <summary>The path names a folder where a file is needed (download, upload target).</summary>
    IsFolder = 4,

    /// <summary>The path names a file where a folder is needed (listing, or a parent of an upload).</summary>
    NotFolder = 5,

    /// <summary>The task's node is not in the cluster: its files are out of reach.</summary>
    NodeGone = 6,
}
