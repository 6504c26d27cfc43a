using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>How a step process is started on Linux: spawned directly by the server, no <c>setsid</c> or <c>sh</c> in between.</summary>
[Collection(ExecServerCollection.Name)]
public sealed class SpawnTests
{
    private const string Probe = """
        read -r stat < /proc/$$/stat
        set -- ${stat##*) }
        echo "pid=$$"
        echo "ppid=$2"
        echo "pgid=$3"
        echo "sid=$4"
        echo "parent=$(cat /proc/$2/comm)"
        ls /proc/$$/fd > fds.txt
        echo "fds=$(tr '\n' ' ' < fds.txt)"
        echo "dashed=$(printenv 'RE-TEST.DASHED')"
        echo "umask=$(umask)"
        """;

    private readonly ServerProcess _server;

    public SpawnTests(ExecServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task Step_IsItsOwnSessionLeader_ChildOfTheServer_WithExactlyItsEnvironment()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var id = Ids.New("spawn");
        var serverPid = _server.Pid ?? throw new InvalidOperationException("the server is not running");
        var detail = await _server.Api.RunAsync(id, Steps.Array(Steps.Of(Probe, name: "probe", env: ["RE-TEST.DASHED=kept"])));
        Assert.Equal(0, detail.Code);
        var seen = TaskApi.Lines(await _server.Api.ConsoleAsync(id, "probe"))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

        // Its own session and process group from the start, and its parent is the server itself.
        Assert.Equal(seen["pid"], seen["pgid"]);
        Assert.Equal(seen["pid"], seen["sid"]);
        Assert.Equal(serverPid.ToString(System.Globalization.CultureInfo.InvariantCulture), seen["ppid"]);
        Assert.Equal((await File.ReadAllTextAsync($"/proc/{serverPid}/comm")).Trim(), seen["parent"]);

        // Only stdin, the output pipe on 1 and 2, and bash's own script descriptor: nothing of the server leaks.
        Assert.Subset(new HashSet<string> { "0", "1", "2", "255" }, seen["fds"].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet());
        Assert.Equal("0022", seen["umask"]);

        // No shell in between: a name that is no shell identifier reaches the step (sh dropped it).
        Assert.Equal("kept", seen["dashed"]);
    }

    [Fact]
    public async Task Step_WritingToAPipeWhoseReaderLeft_EndsQuietlyBySigpipe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Default signal dispositions: SIGPIPE is not inherited as ignored from the server, so `yes` dies of it
        // (141) instead of failing with "Broken pipe" on stderr.
        var id = Ids.New("sigpipe");
        var detail = await _server.Api.RunAsync(id, Steps.Array(Steps.Of("yes | head -n 1; echo \"status=${PIPESTATUS[0]}\"", name: "pipe")));
        Assert.Equal(0, detail.Code);
        Assert.Equal(["y", "status=141"], TaskApi.Lines(await _server.Api.ConsoleAsync(id, "pipe")));
    }
}
