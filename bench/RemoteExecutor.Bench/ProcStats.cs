using System.Diagnostics;
using System.Globalization;

namespace RemoteExecutor.Bench;

/// <summary>Linux /proc readings: a process's memory and CPU, the machine's CPU.</summary>
internal static class ProcStats
{
    /// <summary>USER_HZ: the unit of /proc/*/stat times (100 on every mainstream Linux).</summary>
    private const double ClockTicks = 100.0;

    /// <summary>VmRSS and VmHWM of a process in MB, null when it cannot be read.</summary>
    public static (double RssMb, double HwmMb)? Memory(int pid)
    {
        try
        {
            double rss = -1, hwm = -1;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kb(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kb(line);
                }
            }

            return rss < 0 || hwm < 0 ? null : (rss / 1024.0, hwm / 1024.0);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Resets VmHWM to the current RSS (<c>echo 5 &gt; /proc/pid/clear_refs</c>); false when not allowed.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double Kb(string line) =>
        double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>CPU seconds of a process itself and of its waited-for children (the step processes).</summary>
    public static (double Self, double Children)? Cpu(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the ")" that closes the command name; utime is field 14 overall = index 11 here.
            var f = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            double T(int i) => double.Parse(f[i], CultureInfo.InvariantCulture) / ClockTicks;
            return (T(11) + T(12), T(13) + T(14));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU seconds (utime + stime) of each live thread of a process, summed by thread name (<c>comm</c>, trailing
    /// digits and <c>#</c> dropped so a pool's threads add up). Threads that exit take their CPU with them.
    /// </summary>
    public static Dictionary<string, double> ThreadCpu(int pid)
    {
        var byName = new Dictionary<string, double>(StringComparer.Ordinal);
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return byName;
        }
        catch (UnauthorizedAccessException)
        {
            return byName;
        }

        foreach (var dir in tasks)
        {
            try
            {
                var text = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = text.IndexOf('(', StringComparison.Ordinal);
                var close = text.LastIndexOf(')');
                var name = text[(open + 1)..close].TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '#', ' ', '_', '-');
                var f = text[(close + 2)..].Split(' ');
                var cpu = (double.Parse(f[11], CultureInfo.InvariantCulture) + double.Parse(f[12], CultureInfo.InvariantCulture)) / ClockTicks;
                byName[name.Length == 0 ? "?" : name] = byName.GetValueOrDefault(name.Length == 0 ? "?" : name) + cpu;
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return byName;
    }

    /// <summary>Machine-wide jiffies: (busy, total) from the first line of /proc/stat.</summary>
    public static (long Busy, long Total) MachineCpu()
    {
        try
        {
            var first = File.ReadLines("/proc/stat").First();
            var v = first.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var total = v.Sum();
            var idle = v[3] + v[4];
            return (total - idle, total);
        }
        catch (IOException)
        {
            return (0, 0);
        }
    }

    /// <summary>The 1, 5 and 15 minute load averages (other work on the machine skews every figure).</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public static string Kernel()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.VersionString;
        }
    }

    public static double MemTotalMb()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return Math.Round(Kb(line) / 1024.0);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>CPU used during one scenario: the server, its step processes, this bench, the whole machine.</summary>
internal sealed class CpuMeter
{
    private const double ClockTicksPerSecond = 100.0;

    private readonly int? _pid;
    private readonly (double Self, double Children)? _server;
    private readonly TimeSpan _bench;
    private readonly (long Busy, long Total) _machine;
    private readonly long _start = Stopwatch.GetTimestamp();

    public CpuMeter(int? pid)
    {
        _pid = pid;
        _server = pid is { } p ? ProcStats.Cpu(p) : null;
        _bench = Process.GetCurrentProcess().TotalProcessorTime;
        _machine = ProcStats.MachineCpu();
    }

    /// <summary>CPU seconds of the server process itself since this meter started; null without a readable PID.</summary>
    public double? ServerCpuSeconds() =>
        _pid is { } pid && _server is { } before && ProcStats.Cpu(pid) is { } now ? now.Self - before.Self : null;

    /// <summary>Adds server_cpu_s, steps_cpu_s, bench_cpu_s and machine_busy_pct to a section.</summary>
    public void Report(Section section)
    {
        var wall = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        if (_pid is { } pid && _server is { } before && ProcStats.Cpu(pid) is { } after)
        {
            section.Add("server_cpu_s", after.Self - before.Self, "s", "CPU of the server process itself");
            section.Add("steps_cpu_s", after.Children - before.Children, "s", "CPU of the reaped step processes");
        }

        var bench = (Process.GetCurrentProcess().TotalProcessorTime - _bench).TotalSeconds;
        section.Add("bench_cpu_s", bench, "s", "CPU of this load generator");
        var machine = ProcStats.MachineCpu();
        var total = machine.Total - _machine.Total;
        if (total > 0)
        {
            var busy = machine.Busy - _machine.Busy;
            section.Add("machine_busy_pct", 100.0 * busy / total, "%", $"all {Environment.ProcessorCount} cores over {wall:0.0} s");
            var known = bench + (section.Get("server_cpu_s") ?? 0) + (section.Get("steps_cpu_s") ?? 0);
            section.Add("other_cpu_s", Math.Max(0, busy / ClockTicksPerSecond - known), "s", "CPU of everything else on the machine (skews the figures)");
        }
    }
}

/// <summary>Samples a process's RSS in the background and keeps the maximum.</summary>
internal sealed class RssSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssSampler(int pid, TimeSpan every)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (ProcStats.Memory(pid) is { } m)
                {
                    MaxRssMb = Math.Max(MaxRssMb, m.RssMb);
                }

                try
                {
                    await Task.Delay(every, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
    }

    public double MaxRssMb { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
