using System.Globalization;
using System.Net;

namespace RemoteExecutor.Tests.Harness;

/// <summary>The TCP endpoints a process listens on, read from <c>/proc</c> (Linux): what <c>ss -ltnp</c> shows for it.</summary>
public static class ListeningSockets
{
    public static IReadOnlyList<IPEndPoint> Of(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target["socket:[".Length..^1]);
            }
        }

        var endpoints = new List<IPEndPoint>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length > 9 && cols[3] == "0A" && inodes.Contains(cols[9]))
                {
                    endpoints.Add(Parse(cols[1]));
                }
            }
        }

        return endpoints;
    }

    private static IPEndPoint Parse(string hex)
    {
        var parts = hex.Split(':');
        var raw = Convert.FromHexString(parts[0]);

        // The kernel prints the address as 32-bit words in host (little-endian) order.
        for (var i = 0; i < raw.Length; i += 4)
        {
            Array.Reverse(raw, i, 4);
        }

        return new IPEndPoint(new IPAddress(raw), int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
    }
}
