using System.Diagnostics;

namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>
/// Starts steps through <see cref="Process"/>: on Windows, and on a Linux where the direct spawn is unavailable.
/// On Unix each step goes through <c>setsid</c> (own session and group) and <c>sh</c> (stderr joined to stdout,
/// umask 022); the service itself keeps umask 077.
/// </summary>
internal sealed class ProcessSpawner : IStepSpawner
{
    private static readonly string? SetSid = OperatingSystem.IsWindows() ? null : FindSetSid();

    public string Name => "process";

    public Task<IStepProcess> StartAsync(StepStart start)
    {
        var process = new Process { StartInfo = BuildStartInfo(start) };
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        return Task.FromResult<IStepProcess>(new ProcessStepProcess(process, SetSid is not null ? process.Id : 0));
    }

    public static ProcessStartInfo BuildStartInfo(StepStart start)
    {
        var psi = new ProcessStartInfo
        {
            WorkingDirectory = start.WorkingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (SetSid is not null)
        {
            psi.FileName = SetSid;
            psi.ArgumentList.Add("/bin/sh");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("umask 022; exec \"$0\" \"$@\" 2>&1");
            psi.ArgumentList.Add(start.Executable);
        }
        else
        {
            psi.FileName = start.Executable;
        }

        foreach (var arg in start.Arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment.Clear();
        foreach (var (name, value) in start.Environment)
        {
            psi.Environment[name] = value;
        }

        return psi;
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
}
