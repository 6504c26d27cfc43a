using System.Globalization;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// A marker file per step run being spawned or running (<c>&lt;root&gt;/run/&lt;run&gt;-&lt;step&gt;</c>), so that after a
/// crash of the silo the next start knows which steps may have run (they become -999; steps that were only
/// queued start again) and kills the step processes the dead silo left behind. The process start time
/// (from <c>/proc</c>) is kept with the pid, so a reused pid is never killed by mistake.
/// </summary>
public sealed class RunRegistry
{
    private readonly string _dir;

    public RunRegistry(EngineOptions options)
    {
        _dir = Path.Combine(options.Root, "run");
    }

    private readonly HashSet<(Guid Run, string Step)> _lost = [];

    /// <summary>Step runs whose process was running when the previous run of this silo died.</summary>
    public bool WasLost(Guid run, string step)
    {
        lock (_lost)
        {
            return _lost.Contains((run, step));
        }
    }

    public void MarkLost(Guid run, string step)
    {
        lock (_lost)
        {
            _lost.Add((run, step));
        }
    }

    /// <summary>Recorded just before the spawn: from here on, a crash means the step may have run.</summary>
    public void Starting(Guid run, string task, string step) => Write(run, step, $"{task} {step}");

    /// <summary>Adds the process group, so a later start can kill what a crash left behind.</summary>
    public void Spawned(Guid run, string task, string step, int pgid) =>
        Write(run, step, $"{task} {step} {pgid.ToString(CultureInfo.InvariantCulture)} {StartTime(pgid)}");

    /// <summary>The run is over and reported.</summary>
    public void Done(Guid run, string step)
    {
        if (OperatingSystem.IsLinux())
        {
            File.Delete(FileOf(run, step));
        }
    }

    /// <summary>Kills the process groups a previous run of this silo left behind and remembers their runs as lost.</summary>
    public int ReapOrphans()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(_dir))
        {
            return 0;
        }

        var reaped = 0;
        foreach (var file in Directory.EnumerateFiles(_dir))
        {
            var name = Path.GetFileName(file);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            var parts = File.ReadAllText(file).Split(' ');
            if (dash > 0 && Guid.TryParseExact(name[..dash], "N", out var run))
            {
                lock (_lost)
                {
                    _lost.Add((run, name[(dash + 1)..]));
                }
            }

            if (parts.Length >= 4 && int.TryParse(parts[2], out var pgid) && pgid > 1)
            {
                var recorded = parts[3];
                var now = StartTime(pgid);
                // The leader still alive with the recorded start time, or gone while its group lives on.
                if ((recorded.Length > 0 && recorded == now) || (now.Length == 0 && ProcessGroup.Exists(pgid)))
                {
                    ProcessGroup.Signal(pgid, ProcessGroup.SigKill);
                    reaped++;
                }
            }

            File.Delete(file);
        }

        return reaped;
    }

    private string FileOf(Guid run, string step) => Path.Combine(_dir, $"{run:N}-{step}");

    private void Write(Guid run, string step, string content)
    {
        if (OperatingSystem.IsLinux())
        {
            Directory.CreateDirectory(_dir);
            File.WriteAllText(FileOf(run, step), content);
        }
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
