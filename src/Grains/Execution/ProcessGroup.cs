using System.Runtime.InteropServices;

namespace RemoteExecutor.Grains.Execution;

/// <summary>Signals a whole process group (POSIX). Each step leads its own group, so this reaches its children too.</summary>
internal static partial class ProcessGroup
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>; false when none is left.</summary>
    public static bool Signal(int pgid, int signal)
    {
        if (OperatingSystem.IsWindows() || pgid <= 1)
        {
            return false;
        }

        return kill(-pgid, signal) == 0;
    }

    /// <summary>True while some process of the group is alive.</summary>
    public static bool Exists(int pgid) => !OperatingSystem.IsWindows() && pgid > 1 && kill(-pgid, 0) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
