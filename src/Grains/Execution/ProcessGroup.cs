using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RemoteExecutor.Grains.Execution;

/// <summary>Signals a whole process group (POSIX). Each step leads its own group, so this reaches its children too.</summary>
internal static partial class ProcessGroup
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>How long a just-spawned step may take to become its group's leader before it is signalled alone.</summary>
    public static readonly TimeSpan LeaderSettle = TimeSpan.FromSeconds(1);

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

    /// <summary>
    /// Signals the group <paramref name="process"/> leads. A step is spawned through <c>setsid</c>: until it has made
    /// itself leader the group does not exist and a group signal would be lost, so this waits (up to
    /// <paramref name="settle"/>) for <c>getpgid(pid) == pid</c>; if that never comes, the process itself is signalled.
    /// </summary>
    public static async Task<bool> SignalLeaderAsync(Process process, int signal, TimeSpan settle)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        var pid = process.Id;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // Once the leader is gone its group may still hold children: signal the group, as for a live leader.
            if (process.HasExited)
            {
                return kill(-pid, signal) == 0;
            }

            var group = getpgid(pid);
            if (group == pid || group < 0)
            {
                return kill(-pid, signal) == 0;
            }

            if (clock.Elapsed >= settle)
            {
                return kill(pid, signal) == 0;
            }

            await Task.Delay(1);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getpgid(int pid);
}
