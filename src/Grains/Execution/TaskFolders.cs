using System.Collections.Concurrent;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// The workspace (<c>&lt;root&gt;/workspace/&lt;task&gt;</c>) and script folder (<c>&lt;root&gt;/scripts/&lt;task&gt;</c>)
/// of each task on this node. Both are made for the task's first step and taken as they are by its later steps (a
/// step that removed one gets it back through <see cref="Restore"/>); the script folder goes when the task ends, the
/// workspace when it expires.
/// </summary>
public sealed class TaskFolders(EngineOptions options)
{
    private readonly ConcurrentDictionary<string, byte> _made = new(StringComparer.Ordinal);

    /// <summary>Makes both folders of <paramref name="task"/> unless an earlier step of it on this node already did.</summary>
    public void Prepare(string task)
    {
        if (_made.ContainsKey(task))
        {
            return;
        }

        Directory.CreateDirectory(options.WorkspaceDir(task));
        Directory.CreateDirectory(options.ScriptDir(task));
        _made.TryAdd(task, 0);
    }

    /// <summary>Makes the folders again: a step of the task removed one of them.</summary>
    public void Restore(string task)
    {
        _made.TryRemove(task, out _);
        Prepare(task);
    }

    /// <summary>Removes the task's script folder, and its workspace too when <paramref name="workspace"/>.</summary>
    public void Clean(string task, bool workspace)
    {
        _made.TryRemove(task, out _);
        Delete(options.ScriptDir(task));
        if (workspace)
        {
            Delete(options.WorkspaceDir(task));
        }
    }

    private static void Delete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still in use (Windows) or vanished meanwhile: the next clean-up gets it.
        }
        catch (UnauthorizedAccessException)
        {
            // A step made a file we may not delete: leave it, never fail the task for it.
        }
    }
}
