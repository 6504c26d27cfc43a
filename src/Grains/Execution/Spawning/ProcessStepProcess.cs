using System.Diagnostics;

namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>A step started through <see cref="Process"/> (see <see cref="ProcessSpawner"/>).</summary>
internal sealed class ProcessStepProcess(Process process, int group) : IStepProcess
{
    private static readonly TimeSpan FinalWait = TimeSpan.FromSeconds(10);

    public int Id { get; } = process.Id;

    public int Group => group;

    public IReadOnlyList<Stream> Outputs { get; } = [process.StandardOutput.BaseStream, process.StandardError.BaseStream];

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public async Task WriteInputAsync(string? input)
    {
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The plugin exited or closed its stdin without reading it all.
        }
        catch (ObjectDisposedException)
        {
            // The run already ended.
        }
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    public async Task<bool> KillTreeAsync(TimeSpan grace)
    {
        if (group > 0)
        {
            // A kill right after the spawn may come before setsid ran: signal the group only once it exists.
            await ProcessGroup.SignalLeaderAsync(process, ProcessGroup.SigTerm, ProcessGroup.LeaderSettle);
            using var graceful = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(graceful.Token);
            }
            catch (OperationCanceledException)
            {
                // It ignored SIGTERM: SIGKILL below.
            }

            await ProcessGroup.SignalLeaderAsync(process, ProcessGroup.SigKill, ProcessGroup.LeaderSettle);
        }
        else
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        // Bounded: a process stuck in the kernel (uninterruptible I/O) must not hold the run, or a stop, forever.
        using var reaped = new CancellationTokenSource(FinalWait);
        try
        {
            await process.WaitForExitAsync(reaped.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void EndGroup()
    {
        if (group > 0)
        {
            ProcessGroup.Signal(group, ProcessGroup.SigKill);
        }
    }

    public void CloseOutputs()
    {
        process.StandardOutput.BaseStream.Close();
        process.StandardError.BaseStream.Close();
    }

    public void Dispose() => process.Dispose();
}
