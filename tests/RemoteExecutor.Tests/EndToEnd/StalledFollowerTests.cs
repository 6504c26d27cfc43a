using System.Globalization;
using System.Net.Http.Headers;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>A console follower that stops reading is disconnected after the stall cut-off, and the server does not buffer for it.</summary>
public sealed class StalledFollowerTests
{
    /// <summary>The test-only cut-off (production: 30 s); the wait below stays under the production value.</summary>
    private const string CutOff = "3s";

    /// <summary>Generous: on a loaded machine the console store fills slowly, and the socket must fill before the stall counts.</summary>
    private static readonly TimeSpan CutOffSeen = TimeSpan.FromSeconds(60);
    private const long MaxRssBytes = 600L << 20;

    [Fact]
    public async Task Sse_ReaderStallsWhileStepPrintsFast_ServerCutsItOffAndStaysBounded()
    {
        await using var server = await ServerProcess.StartAsync(["--max_output=64MiB"],
            new Dictionary<string, string> { ["REMOTE_EXECUTOR_TEST_STALL_CUTOFF"] = CutOff });
        var pid = server.Pid ?? throw new InvalidOperationException("the server is not running");
        var id = Ids.New("stall");
        // 48 MiB of 1 KiB lines at full speed, then the step stays running: the stream never ends on its own.
        await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of("yes \"$(printf '%01023d' 0)\" | head -c 48M; sleep 300", name: "flood")));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        // A small receive buffer, so a few hundred KiB unread already stall the server's writes.
        using var slowReader = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 16 * 1024 };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        })
        {
            BaseAddress = server.BaseAddress,
        };
        slowReader.DefaultRequestHeaders.Authorization = server.Http.DefaultRequestHeaders.Authorization;
        using var response = await EventStream.OpenAsync(slowReader, $"/api/v1/task/{id}/flood/console", cancellationToken: deadline.Token);
        var stream = EventStream.ReadAsync(response, deadline.Token).GetAsyncEnumerator(deadline.Token);
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("line", stream.Current.Event);

        // Read nothing more: the server fills the socket, waits the cut-off, and drops this client.
        var peak = 0L;
        await Poll.UntilAsync(() =>
        {
            peak = Math.Max(peak, Rss(pid));
            return server.LogContains($"Dropped a console follower of /api/v1/task/{id}/flood/console");
        }, CutOffSeen, "the server to drop the stalled follower");
        Assert.True(peak < MaxRssBytes, $"the server's RSS reached {peak >> 20} MB while a follower stalled");

        // What was already in flight still arrives, then the stream ends without an end event (the step still runs).
        var lastId = stream.Current.Id!;
        var ended = false;
        try
        {
            while (await stream.MoveNextAsync())
            {
                Assert.Equal("line", stream.Current.Event);
                lastId = stream.Current.Id!;
            }

            ended = true;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            ended = true;
        }

        await stream.DisposeAsync();
        Assert.True(ended);
        Assert.Equal("Running", (await server.Api.DetailAsync(id)).Header("X-Task-STATE"));

        // The client resumes where it was cut off.
        using var resumed = await EventStream.OpenAsync(server.Http, $"/api/v1/task/{id}/flood/console", lastEventId: lastId, cancellationToken: deadline.Token);
        await using var next = EventStream.ReadAsync(resumed, deadline.Token).GetAsyncEnumerator(deadline.Token);
        Assert.True(await next.MoveNextAsync());
        Assert.Equal((long.Parse(lastId, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture), next.Current.Id);
    }

    /// <summary>Resident set size of a process, from <c>/proc/&lt;pid&gt;/status</c>.</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
