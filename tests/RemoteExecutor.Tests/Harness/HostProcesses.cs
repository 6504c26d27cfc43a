using System.Diagnostics;

namespace RemoteExecutor.Tests.Harness;

/// <summary>What runs on this machine, seen the way an operator would: <c>ps</c> and <c>PATH</c>.</summary>
public static class HostProcesses
{
    /// <summary>Command lines (<c>ps -eo args</c>) that equal <paramref name="args"/>.</summary>
    public static async Task<int> CountAsync(string args)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-eo");
        psi.ArgumentList.Add("args");
        using var ps = Process.Start(psi)!;
        var output = await ps.StandardOutput.ReadToEndAsync();
        await ps.WaitForExitAsync();
        return output.Split('\n').Count(line => line.Trim() == args);
    }

    /// <summary>Kills (by pid) the processes whose command line equals <paramref name="args"/>: a unique marker the test itself started.</summary>
    public static async Task KillAllAsync(string args)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-eo");
        psi.ArgumentList.Add("pid=,args=");
        using var ps = Process.Start(psi)!;
        var output = await ps.StandardOutput.ReadToEndAsync();
        await ps.WaitForExitAsync();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Trim().Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && parts[1] == args && int.TryParse(parts[0], out var pid))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill();
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }
    }

    /// <summary>
    /// Kills what a server left running from <paramref name="root"/>: every process whose command line names a script
    /// under <c>&lt;root&gt;/scripts/</c>, with its process group when it leads one (each step runs in its own group).
    /// </summary>
    public static async Task KillStepGroupsUnderAsync(string root)
    {
        var scripts = Path.Combine(root, "scripts") + Path.DirectorySeparatorChar;
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-eo");
        psi.ArgumentList.Add("pid=,pgid=,args=");
        using var ps = Process.Start(psi)!;
        var output = await ps.StandardOutput.ReadToEndAsync();
        await ps.WaitForExitAsync();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 3 && parts[2].Contains(scripts, StringComparison.Ordinal)
                && int.TryParse(parts[0], out var pid) && int.TryParse(parts[1], out var pgid))
            {
                // Only a group the step leads: never the group of the test host or of anything else.
                var target = pgid == pid ? $"-{pgid}" : pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var kill = Process.Start(new ProcessStartInfo("kill", ["-KILL", "--", target]) { UseShellExecute = false, RedirectStandardError = true })!;
                await kill.WaitForExitAsync();
            }
        }
    }

    /// <summary>True when <paramref name="program"/> is an executable file on PATH (like <c>which</c>).</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}
