using System.Runtime.InteropServices;

namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>The glibc and Linux calls the direct spawn uses. Opaque glibc structures get generous, zeroed buffers.</summary>
internal static unsafe partial class PosixNative
{
    public const int OCloExec = 0x80000;
    public const int ONonBlock = 0x800;
    public const int CloneFs = 0x200;
    public const int EIntr = 4;
    public const int EAgain = 11;
    public const short PollIn = 0x1;

    public const short SpawnSetSigDef = 0x04;
    public const short SpawnSetSigMask = 0x08;
    public const short SpawnSetSid = 0x80;

    /// <summary><c>pidfd_open</c>: the same number on every architecture (new system calls share one table since Linux 5.1).</summary>
    public const long SysPidfdOpen = 434;

    /// <summary>Bytes reserved for <c>posix_spawn_file_actions_t</c> / <c>posix_spawnattr_t</c> (80 / 336 on x86-64 glibc).</summary>
    public const int OpaqueSize = 1024;

    /// <summary>Bytes reserved for a <c>sigset_t</c> (128 in glibc).</summary>
    public const int SigSetSize = 256;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport("libc", SetLastError = true)]
    public static partial long syscall(long number, long arg1, long arg2);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unshare(int flags);

    [LibraryImport("libc")]
    public static partial uint umask(uint mask);

    [LibraryImport("libc")]
    public static partial int sigemptyset(void* set);

    [LibraryImport("libc")]
    public static partial int sigfillset(void* set);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addchdir_np(void* actions, byte* path);

    [LibraryImport("libc")]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* actions, int from);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigmask(void* attributes, void* mask);

    [LibraryImport("libc")]
    public static partial int posix_spawnattr_setsigdefault(void* attributes, void* set);

    [LibraryImport("libc")]
    public static partial int posix_spawn(int* pid, byte* path, void* actions, void* attributes, byte** argv, byte** envp);
}
