using System.Globalization;
using System.Net;
using System.Text;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>A step that writes without newlines for a long time keeps the server's memory and the task readable.</summary>
public sealed class EndlessLineTests
{
    private const long MaxRssBytes = 600L << 20;
    private const int Seconds = 20;

    [Fact]
    public async Task EndlessLine_TwentySeconds_ServerStaysUnder600MBAndDetailAndConsoleAnswer()
    {
        // A smaller output budget than the default 1 GiB keeps the database small; past it the pipe is still read.
        await using var server = await ServerProcess.StartAsync(["--max_output=256MiB"]);
        var pid = server.Pid ?? throw new InvalidOperationException("the server is not running");
        var id = Ids.New("endless");
        await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of($"timeout {Seconds} yes | tr -d '\\n'; echo; echo finished", name: "yes")));

        var peak = 0L;
        var detail = await Poll.UntilAsync(
            async () =>
            {
                peak = Math.Max(peak, Rss(pid));
                var d = await server.Api.DetailAsync(id);
                return (d.Header("X-Task-STATE") is { } s && TaskApi.FinalStateNames.Contains(s), d);
            },
            TimeSpan.FromSeconds(Seconds + 60),
            last => $"the endless step did not finish; last detail: {last}");

        Assert.True(peak < MaxRssBytes, $"the server's RSS reached {peak >> 20} MB while the step wrote one endless line");
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        Assert.Equal(0, detail.Step("yes").GetProperty("code").GetInt32());
        var msg = detail.Step("yes").GetProperty("msg").GetString()!;
        Assert.True(Encoding.UTF8.GetByteCount(msg) <= 65 * 1024, $"msg is {msg.Length} characters long");
        Assert.Contains("further bytes were dropped", msg, StringComparison.Ordinal);

        var page = await server.Api.GetAsync($"/api/v1/task/{id}/yes/console?from=1&limit=20");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var lines = TaskApi.Lines(page);
        Assert.Equal(20, lines.Count);
        Assert.All(lines, l => Assert.Equal((64 * 1024) + "…[line continues]".Length, l.Length));
    }

    /// <summary>Resident set size of a process, from <c>/proc/&lt;pid&gt;/status</c>.</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
