using System.Diagnostics;
using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Tests.Unit;

/// <summary>Signalling a step that is not yet the leader of its own process group (it has not run setsid yet).</summary>
public sealed class ProcessGroupTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static Process Spawn(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi)!;
    }

    private static async Task<int> ExitCodeAsync(Process process)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail("the signal was lost: the process was still running");
        }

        return process.ExitCode;
    }

    [Fact]
    public async Task SignalLeaderAsync_BeforeSetsid_WaitsForTheGroupAndTerminatesIt()
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/usr/bin/setsid"))
        {
            return;
        }

        // Like a step in its first milliseconds: the process becomes its group's leader only after a while.
        using var process = Spawn("/bin/sh", "-c", "sleep 0.3; exec /usr/bin/setsid sleep 29.7531");
        Assert.True(await ProcessGroup.SignalLeaderAsync(process, ProcessGroup.SigTerm, TimeSpan.FromSeconds(5)));
        Assert.Equal(128 + ProcessGroup.SigTerm, await ExitCodeAsync(process));
    }

    [Fact]
    public async Task SignalLeaderAsync_NeverLeader_SignalsTheProcessItselfAfterTheSettleTime()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var process = Spawn("/bin/sleep", "29.7532");
        Assert.True(await ProcessGroup.SignalLeaderAsync(process, ProcessGroup.SigTerm, TimeSpan.FromMilliseconds(100)));
        Assert.Equal(128 + ProcessGroup.SigTerm, await ExitCodeAsync(process));
    }
}
