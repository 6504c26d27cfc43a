using System.Globalization;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// A marker file per running step process group (<c>&lt;root&gt;/run/&lt;pgid&gt;</c>), so that after a crash of
/// the silo the next start can kill the step processes the dead silo left behind. The process start time
/// (from <c>/proc</c>) is kept with the pid, so a reused pid is never killed by mistake.
/// </summary>
public sealed class RunRegistry
{
    private readonly string _dir;

    public RunRegistry(EngineOptions options)
    {
        _dir = Path.Combine(options.Root, "run");
    }

    public void Add(int pgid, string task, string step)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, pgid.ToString(CultureInfo.InvariantCulture)), $"{StartTime(pgid)} {task} {step}");
    }

    public void Remove(int pgid)
    {
        if (OperatingSystem.IsLinux())
        {
            File.Delete(Path.Combine(_dir, pgid.ToString(CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Kills the process groups a previous run of this silo left behind; returns how many.</summary>
    public int ReapOrphans()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(_dir))
        {
            return 0;
        }

        var reaped = 0;
        foreach (var file in Directory.EnumerateFiles(_dir))
        {
            if (int.TryParse(Path.GetFileName(file), out var pgid))
            {
                var recorded = File.ReadAllText(file).Split(' ', 2)[0];
                if (recorded.Length > 0 && recorded == StartTime(pgid) && ProcessGroup.Signal(pgid, ProcessGroup.SigKill))
                {
                    reaped++;
                }
                else if (ProcessGroup.Exists(pgid) && recorded.Length > 0 && StartTime(pgid).Length == 0)
                {
                    // The leader is gone but its group lives on (background children): same session, kill it.
                    ProcessGroup.Signal(pgid, ProcessGroup.SigKill);
                    reaped++;
                }
            }

            File.Delete(file);
        }

        return reaped;
    }

    /// <summary>Field 22 of <c>/proc/&lt;pid&gt;/stat</c> (start time in clock ticks since boot), or "" when gone.</summary>
    private static string StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return afterName.Length > 19 ? afterName[19] : "";
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
