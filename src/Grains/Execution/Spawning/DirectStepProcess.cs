using System.IO.Pipes;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static RemoteExecutor.Grains.Execution.Spawning.PosixNative;

namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>
/// A step spawned by <see cref="DirectSpawner"/>: it leads its own session and process group from the first
/// instruction (pgid = pid), stdout and stderr are one pipe, stdin another. Its end comes from the
/// <see cref="ChildReaper"/>; the group is only signalled while the leader is not reaped, so its pid (and with it
/// the group id) cannot have been reused by then.
/// </summary>
internal sealed class DirectStepProcess : IStepProcess
{
    private static readonly TimeSpan FinalWait = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AnonymousPipeClientStream _output;
    private AnonymousPipeClientStream? _input;
    private bool _reaped;

    public DirectStepProcess(int pid, int outputFd, int inputFd)
    {
        Id = pid;
        _output = new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(outputFd, ownsHandle: true));
        _input = new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(inputFd, ownsHandle: true));
        Outputs = [_output];
    }

    public int Id { get; }

    public int Group => Id;

    public IReadOnlyList<Stream> Outputs { get; }

    public bool HasExited => _exit.Task.IsCompleted;

    public int ExitCode => _exit.Task.IsCompleted ? _exit.Task.Result : throw new InvalidOperationException("the process has not exited");

    /// <summary>
    /// Called once the leader has exited (a zombie still): what it left in its group is killed, then it is reaped and
    /// its status decoded.
    /// </summary>
    public void OnExited()
    {
        var code = ExitStatus.Unknown;
        lock (_gate)
        {
            _ = kill(-Id, ProcessGroup.SigKill);
            if (Reap(Id) is { } status)
            {
                code = ExitStatus.Decode(status);
            }

            _reaped = true;
        }

        _exit.TrySetResult(code);
    }

    public async Task WriteInputAsync(string? input)
    {
        var stream = Interlocked.Exchange(ref _input, null);
        if (stream is null)
        {
            return;
        }

        try
        {
            if (input is not null)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(input));
            }
        }
        catch (IOException)
        {
            // The plugin exited or closed its stdin without reading it all.
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _exit.Task.WaitAsync(cancellationToken);

    public async Task<bool> KillTreeAsync(TimeSpan grace)
    {
        Signal(ProcessGroup.SigTerm);
        if (!await ExitsWithinAsync(grace))
        {
            Signal(ProcessGroup.SigKill);
        }

        // Bounded: a process stuck in the kernel (uninterruptible I/O) must not hold the run, or a stop, forever.
        return await ExitsWithinAsync(FinalWait);
    }

    /// <summary>Nothing left to do: the group was killed when the leader's exit was seen, before it was reaped.</summary>
    public void EndGroup()
    {
    }

    public void CloseOutputs() => _output.Dispose();

    public void Dispose()
    {
        _output.Dispose();
        Interlocked.Exchange(ref _input, null)?.Dispose();
    }

    private static unsafe int? Reap(int pid)
    {
        int status;
        int reaped;
        do
        {
            reaped = waitpid(pid, &status, 0);
        }
        while (reaped < 0 && Marshal.GetLastPInvokeError() == EIntr);

        return reaped == pid ? status : null;
    }

    private void Signal(int signal)
    {
        lock (_gate)
        {
            if (!_reaped)
            {
                _ = kill(-Id, signal);
            }
        }
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _exit.Task.WaitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
