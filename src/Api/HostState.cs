using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace RemoteExecutor.Api;

/// <summary>Figures about this host for <c>GET /api/v1/state</c>: os, cpu, ram, disk, runtime.</summary>
public static class HostState
{
    public static async Task<State> ReadAsync(CancellationToken cancellationToken)
    {
        var cpu = await CpuAsync(cancellationToken);
        var process = Process.GetCurrentProcess();
        return new State(
            new OsInfo(Environment.MachineName, RuntimeInformation.OSDescription, Environment.OSVersion.Platform.ToString().ToLowerInvariant(),
                Environment.OSVersion.VersionString, RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
                (long)TimeSpan.FromMilliseconds(Environment.TickCount64).TotalSeconds),
            cpu,
            Ram(),
            [.. Disks()],
            new RuntimeFigures(RuntimeInformation.FrameworkDescription, process.Threads.Count, Environment.ProcessorCount,
                GC.GetTotalMemory(false), process.WorkingSet64, process.Id));
    }

    private static async Task<CpuInfo> CpuAsync(CancellationToken cancellationToken)
    {
        var count = Environment.ProcessorCount;
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/stat"))
        {
            return new CpuInfo(count, [], "");
        }

        var first = ReadProcStat();
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        var second = ReadProcStat();
        var percents = new List<double>();
        foreach (var (core, (busy2, total2)) in second)
        {
            if (core == "cpu" || !first.TryGetValue(core, out var a))
            {
                continue;
            }

            var total = total2 - a.Total;
            percents.Add(total <= 0 ? 0 : Math.Round(100.0 * (busy2 - a.Busy) / total, 2));
        }

        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "";
        return new CpuInfo(count, percents, model);
    }

    private static Dictionary<string, (long Busy, long Total)> ReadProcStat()
    {
        var result = new Dictionary<string, (long, long)>();
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal))
            {
                break;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = parts.Skip(1).Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + (values.Length > 4 ? values[4] : 0);
            var total = values.Take(8).Sum();
            result[parts[0]] = (total - idle, total);
        }

        return result;
    }

    private static RamInfo Ram()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/meminfo"))
        {
            var info = GC.GetGCMemoryInfo();
            return new RamInfo(info.TotalAvailableMemoryBytes, 0, 0, 0, 0);
        }

        var map = File.ReadLines("/proc/meminfo")
            .Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024);
        var total = map.GetValueOrDefault("MemTotal");
        var available = map.GetValueOrDefault("MemAvailable");
        var free = map.GetValueOrDefault("MemFree");
        var used = total - available;
        return new RamInfo(total, available, used, free, total == 0 ? 0 : Math.Round(100.0 * used / total, 2));
    }

    private static IEnumerable<DiskInfo> Disks()
    {
        foreach (var drive in DriveInfo.GetDrives())
        {
            DiskInfo? disk = null;
            try
            {
                if (drive.IsReady && drive.TotalSize > 0 && drive.DriveType is DriveType.Fixed or DriveType.Network)
                {
                    var used = drive.TotalSize - drive.TotalFreeSpace;
                    disk = new DiskInfo(drive.Name, drive.DriveFormat, drive.TotalSize, drive.AvailableFreeSpace, used, Math.Round(100.0 * used / drive.TotalSize, 2));
                }
            }
            catch (IOException)
            {
                // A mount that vanished or cannot be read: leave it out.
            }
            catch (UnauthorizedAccessException)
            {
                // Not readable by this user: leave it out.
            }

            if (disk is not null)
            {
                yield return disk;
            }
        }
    }

    /// <summary>The whole answer.</summary>
    public sealed record State(
        [property: JsonPropertyName("os")] OsInfo Os,
        [property: JsonPropertyName("cpu")] CpuInfo Cpu,
        [property: JsonPropertyName("ram")] RamInfo Ram,
        [property: JsonPropertyName("disk")] IReadOnlyList<DiskInfo> Disk,
        [property: JsonPropertyName("runtime")] RuntimeFigures Runtime);

    public sealed record OsInfo(
        [property: JsonPropertyName("hostname")] string Hostname,
        [property: JsonPropertyName("os")] string Os,
        [property: JsonPropertyName("platform")] string Platform,
        [property: JsonPropertyName("version")] string Version,
        [property: JsonPropertyName("arch")] string Arch,
        [property: JsonPropertyName("uptime")] long Uptime);

    public sealed record CpuInfo(
        [property: JsonPropertyName("count")] int Count,
        [property: JsonPropertyName("percent")] IReadOnlyList<double> Percent,
        [property: JsonPropertyName("model")] string Model);

    public sealed record RamInfo(
        [property: JsonPropertyName("total")] long Total,
        [property: JsonPropertyName("available")] long Available,
        [property: JsonPropertyName("used")] long Used,
        [property: JsonPropertyName("free")] long Free,
        [property: JsonPropertyName("used_percent")] double UsedPercent);

    public sealed record DiskInfo(
        [property: JsonPropertyName("path")] string Path,
        [property: JsonPropertyName("fstype")] string FsType,
        [property: JsonPropertyName("total")] long Total,
        [property: JsonPropertyName("free")] long Free,
        [property: JsonPropertyName("used")] long Used,
        [property: JsonPropertyName("used_percent")] double UsedPercent);

    public sealed record RuntimeFigures(
        [property: JsonPropertyName("version")] string Version,
        [property: JsonPropertyName("threads")] int Threads,
        [property: JsonPropertyName("cpus")] int Cpus,
        [property: JsonPropertyName("gc_heap")] long GcHeap,
        [property: JsonPropertyName("rss")] long Rss,
        [property: JsonPropertyName("pid")] int Pid);
}
