using System.Runtime.InteropServices;
using static RemoteExecutor.Grains.Execution.Spawning.PosixNative;

namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>
/// Learns when directly spawned children exit: one thread polls a <c>pidfd</c> per child (plus a wake-up pipe for new
/// ones) and, when one becomes readable (the child is a zombie, its pid still reserved), runs that child's exit
/// action on this thread. .NET's <c>Process</c> never sees these children, so nothing else reaps them.
/// </summary>
internal sealed unsafe class ChildReaper
{
    private readonly Dictionary<int, Action> _watched = [];
    private readonly int _wakeRead;
    private readonly int _wakeWrite;

    private ChildReaper(int wakeRead, int wakeWrite)
    {
        _wakeRead = wakeRead;
        _wakeWrite = wakeWrite;
        new Thread(Loop) { IsBackground = true, Name = "step reaper" }.Start();
    }

    /// <summary>A reaper, or null (with the reason) when this kernel has no <c>pidfd_open</c> (before Linux 5.3).</summary>
    public static ChildReaper? TryCreate(out string reason)
    {
        var self = syscall(SysPidfdOpen, Environment.ProcessId, 0);
        if (self < 0)
        {
            reason = $"pidfd_open: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
            return null;
        }

        close((int)self);
        var fds = stackalloc int[2];
        if (pipe2(fds, OCloExec | ONonBlock) != 0)
        {
            reason = $"pipe2: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
            return null;
        }

        reason = "";
        return new ChildReaper(fds[0], fds[1]);
    }

    /// <summary>Runs <paramref name="exited"/> (on the reaper thread) once child <paramref name="pid"/> has exited; false when it cannot be watched.</summary>
    public bool Watch(int pid, Action exited)
    {
        var pidfd = syscall(SysPidfdOpen, pid, 0);
        if (pidfd < 0)
        {
            return false;
        }

        lock (_watched)
        {
            _watched[(int)pidfd] = exited;
        }

        byte one = 1;
        _ = write(_wakeWrite, &one, 1);
        return true;
    }

    private void Loop()
    {
        var fds = new PollFd[16];
        var buffer = stackalloc byte[64];
        while (true)
        {
            int count;
            lock (_watched)
            {
                count = _watched.Count + 1;
                if (fds.Length < count)
                {
                    fds = new PollFd[Math.Max(count, fds.Length * 2)];
                }

                fds[0] = new PollFd { Fd = _wakeRead, Events = PollIn };
                var i = 1;
                foreach (var fd in _watched.Keys)
                {
                    fds[i++] = new PollFd { Fd = fd, Events = PollIn };
                }
            }

            int ready;
            fixed (PollFd* p = fds)
            {
                ready = poll(p, (nuint)count, -1);
            }

            if (ready <= 0)
            {
                // EINTR: a signal for the runtime arrived; poll again.
                continue;
            }

            if (fds[0].Revents != 0)
            {
                while (read(_wakeRead, buffer, 64) > 0)
                {
                }
            }

            for (var i = 1; i < count; i++)
            {
                if (fds[i].Revents == 0)
                {
                    continue;
                }

                Action? exited;
                lock (_watched)
                {
                    _watched.Remove(fds[i].Fd, out exited);
                }

                close(fds[i].Fd);
                exited?.Invoke();
            }
        }
    }
}
