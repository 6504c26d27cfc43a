using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Starts a step's process and ends it: the start info (own session and process group through <c>setsid</c>,
/// stderr joined to stdout), the step's stdin, and killing the whole tree with a grace period.
/// </summary>
internal sealed partial class ProcessLauncher(EngineOptions options, ILogger logger)
{
    private static readonly string? SetSid = OperatingSystem.IsWindows() ? null : FindSetSid();

    private static readonly TimeSpan FinalWait = TimeSpan.FromSeconds(10);

    /// <summary>The process group a started process leads (its pid), or 0 where steps do not get their own group.</summary>
    public static int GroupOf(Process process) => SetSid is not null ? process.Id : 0;

    public static ProcessStartInfo BuildStartInfo(string executable, IReadOnlyList<string> arguments, string workspace)
    {
        var psi = new ProcessStartInfo
        {
            WorkingDirectory = workspace,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (SetSid is not null)
        {
            // setsid: own session and process group (pgid = pid). sh then execs the interpreter with
            // stderr on the stdout pipe, so both streams keep one order, and with the usual umask
            // (the service itself runs with 077 so its own files stay private).
            psi.FileName = SetSid;
            psi.ArgumentList.Add("/bin/sh");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("umask 022; exec \"$0\" \"$@\" 2>&1");
            psi.ArgumentList.Add(executable);
        }
        else
        {
            psi.FileName = executable;
        }

        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        return psi;
    }

    /// <summary>Gives an executable plugin its step on stdin (scripts get an empty stdin); a plugin that does not read it is fine.</summary>
    public static async Task WriteInputAsync(Process process, string? input)
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

    public async Task KillTreeAsync(Process process, int pgid)
    {
        if (pgid > 0)
        {
            // A kill right after the spawn may come before setsid ran: signal the group only once it exists.
            await ProcessGroup.SignalLeaderAsync(process, ProcessGroup.SigTerm, ProcessGroup.LeaderSettle);
            using var grace = new CancellationTokenSource(options.KillGrace);
            try
            {
                await process.WaitForExitAsync(grace.Token);
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
        }
        catch (OperationCanceledException)
        {
            LogNotReaped(logger, process.Id);
        }
    }

    private static string? FindSetSid()
    {
        foreach (var path in new[] { "/usr/bin/setsid", "/bin/setsid" })
        {
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Process {Pid} did not exit after SIGKILL; its run is reported without it")]
    private static partial void LogNotReaped(ILogger logger, int pid);
}
