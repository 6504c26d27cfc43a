using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.InteropServices;
using static RemoteExecutor.Grains.Execution.Spawning.PosixNative;

namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>
/// Starts steps with glibc's <c>posix_spawn</c>, without the <c>setsid</c> and <c>sh</c> execs: a new session and
/// process group (<c>POSIX_SPAWN_SETSID</c>), one pipe on both stdout and stderr (one order), stdin from a pipe,
/// the workspace as working directory, exactly the step's environment, default signal dispositions and an empty
/// signal mask. The service's own descriptors are close-on-exec, and descriptors 3 and up are closed in the child
/// besides (<c>posix_spawn_file_actions_addclosefrom_np</c>, glibc 2.34), so even one the service inherited without
/// close-on-exec does not reach a step.
/// <para>
/// The umask is per process, and the service keeps 077 for its own files, so every spawn runs on one dedicated
/// thread that has its own file-system context (<c>unshare(CLONE_FS)</c>) with umask 022: the children it starts
/// inherit 022 while the rest of the service never changes its umask.
/// </para>
/// </summary>
internal sealed unsafe class DirectSpawner : IStepSpawner
{
    private readonly BlockingCollection<(StepStart Start, TaskCompletionSource<IStepProcess> Done)> _queue = [];
    private readonly ChildReaper _reaper;
    private readonly bool _closeFrom;

    private DirectSpawner(ChildReaper reaper, bool closeFrom)
    {
        _reaper = reaper;
        _closeFrom = closeFrom;
    }

    public string Name => "posix_spawn";

    /// <summary>The spawner, or null with the reason when this system lacks something it needs (old glibc or kernel, a sandbox).</summary>
    public static DirectSpawner? TryCreate(out string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            reason = "not Linux";
            return null;
        }

        if (!Exported("posix_spawn_file_actions_addchdir_np", out reason) || !SetSidSupported(out reason))
        {
            return null;
        }

        var reaper = ChildReaper.TryCreate(out reason);
        if (reaper is null)
        {
            return null;
        }

        var spawner = new DirectSpawner(reaper, Exported("posix_spawn_file_actions_addclosefrom_np", out _));
        var ready = new TaskCompletionSource<string>();
        new Thread(() => spawner.Loop(ready)) { IsBackground = true, Name = "step spawner" }.Start();
        reason = ready.Task.GetAwaiter().GetResult();
        return reason.Length == 0 ? spawner : null;
    }

    public Task<IStepProcess> StartAsync(StepStart start)
    {
        var done = new TaskCompletionSource<IStepProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((start with { Executable = Path.GetFullPath(start.Executable) }, done));
        return done.Task;
    }

    private void Loop(TaskCompletionSource<string> ready)
    {
        // This thread's own umask and working directory: changing them here changes nothing else in the service.
        if (unshare(CloneFs) != 0)
        {
            ready.SetResult($"unshare(CLONE_FS): {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            return;
        }

        _ = umask(0x12);
        ready.SetResult("");
        foreach (var (start, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                var (pid, output, input) = Spawn(start, _closeFrom);
                var process = new DirectStepProcess(pid, output, input);
                if (!_reaper.Watch(pid, process.OnExited))
                {
                    // Without a pidfd its end could not be seen: end it now rather than lose it.
                    _ = kill(-pid, ProcessGroup.SigKill);
                    process.OnExited();
                }

                done.SetResult(process);
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }
    }

    private static (int Pid, int Output, int Input) Spawn(StepStart start, bool closeFrom)
    {
        var outPipe = stackalloc int[2];
        var inPipe = stackalloc int[2];
        Check(pipe2(outPipe, OCloExec) == 0 ? 0 : Marshal.GetLastPInvokeError());
        if (pipe2(inPipe, OCloExec) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            close(outPipe[0]);
            close(outPipe[1]);
            Check(error);
        }

        var strings = new NativeStrings();
        var actions = NativeMemory.AllocZeroed(OpaqueSize);
        var attributes = NativeMemory.AllocZeroed(OpaqueSize);
        var signals = NativeMemory.AllocZeroed(SigSetSize);
        int pid;
        int failed;
        try
        {
            var path = strings.One(start.Executable);
            var cwd = strings.One(start.WorkingDirectory);
            var argv = strings.Array(SpawnBlock.Arguments(start.Executable, start.Arguments));
            var envp = strings.Array(SpawnBlock.Environment(start.Environment, start.WorkingDirectory));
            Check(posix_spawn_file_actions_init(actions));
            Check(posix_spawnattr_init(attributes));
            try
            {
                Check(posix_spawn_file_actions_adddup2(actions, inPipe[0], 0));
                Check(posix_spawn_file_actions_adddup2(actions, outPipe[1], 1));
                Check(posix_spawn_file_actions_adddup2(actions, outPipe[1], 2));
                Check(posix_spawn_file_actions_addchdir_np(actions, cwd));
                if (closeFrom)
                {
                    Check(posix_spawn_file_actions_addclosefrom_np(actions, 3));
                }

                Check(posix_spawnattr_setflags(attributes, SpawnSetSid | SpawnSetSigDef | SpawnSetSigMask));
                _ = sigfillset(signals);
                Check(posix_spawnattr_setsigdefault(attributes, signals));
                _ = sigemptyset(signals);
                Check(posix_spawnattr_setsigmask(attributes, signals));
                int child;
                failed = posix_spawn(&child, path, actions, attributes, argv, envp);
                pid = child;
            }
            finally
            {
                _ = posix_spawn_file_actions_destroy(actions);
                _ = posix_spawnattr_destroy(attributes);
            }
        }
        catch
        {
            close(outPipe[0]);
            close(inPipe[1]);
            throw;
        }
        finally
        {
            // The child has its copies; the service keeps only its ends.
            close(outPipe[1]);
            close(inPipe[0]);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            strings.Free();
        }

        if (failed != 0)
        {
            close(outPipe[0]);
            close(inPipe[1]);
            Check(failed);
        }

        return (pid, outPipe[0], inPipe[1]);
    }

    private static void Check(int error)
    {
        if (error != 0)
        {
            throw new Win32Exception(error, Marshal.GetPInvokeErrorMessage(error));
        }
    }

    private static bool Exported(string symbol, out string reason)
    {
        if (NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, symbol, out _))
        {
            reason = "";
            return true;
        }

        reason = $"the C library has no {symbol} (glibc before 2.29?)";
        return false;
    }

    /// <summary>glibc refuses flags it does not know (EINVAL): <c>POSIX_SPAWN_SETSID</c> needs glibc 2.26.</summary>
    private static bool SetSidSupported(out string reason)
    {
        var attributes = NativeMemory.AllocZeroed(OpaqueSize);
        try
        {
            _ = posix_spawnattr_init(attributes);
            var ok = posix_spawnattr_setflags(attributes, SpawnSetSid | SpawnSetSigDef | SpawnSetSigMask) == 0;
            _ = posix_spawnattr_destroy(attributes);
            reason = ok ? "" : "posix_spawn has no POSIX_SPAWN_SETSID (glibc before 2.26)";
            return ok;
        }
        finally
        {
            NativeMemory.Free(attributes);
        }
    }

    /// <summary>The C strings of one spawn, freed together.</summary>
    private sealed class NativeStrings
    {
        private readonly List<nint> _blocks = [];

        public byte* One(string text)
        {
            var bytes = SpawnBlock.CString(text);
            var block = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
            _blocks.Add((nint)block);
            bytes.CopyTo(new Span<byte>(block, bytes.Length));
            return block;
        }

        public byte** Array(IReadOnlyList<string> items)
        {
            var array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(byte*));
            _blocks.Add((nint)array);
            for (var i = 0; i < items.Count; i++)
            {
                array[i] = One(items[i]);
            }

            array[items.Count] = null;
            return array;
        }

        public void Free()
        {
            foreach (var block in _blocks)
            {
                NativeMemory.Free((void*)block);
            }
        }
    }
}
