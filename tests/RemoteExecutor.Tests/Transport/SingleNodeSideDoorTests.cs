using System.Net;
using System.Text;
using RemoteExecutor.Tests.EndToEnd;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Transport;

/// <summary>Server whose finished tasks expire after 8 s (time enough to look at a task before it goes).</summary>
public sealed class SideDoorServerFixture : ServerFixture
{
    protected override string[] Args => ["--key_expire=8s"];
}

/// <summary>Issue 19, single node: no Orleans door into the grains, files for the owner only, expired secrets gone from disk.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SingleNodeSideDoorTests : IClassFixture<SideDoorServerFixture>
{
    private const UnixFileMode Dir0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly ServerProcess _server;

    public SingleNodeSideDoorTests(SideDoorServerFixture fixture) => _server = fixture.Server;

    private List<IPEndPoint> OrleansListeners() =>
        [.. ListeningSockets.Of(_server.Pid!.Value).Where(e => e.Port != _server.Port)];

    [Fact]
    public void Listeners_SingleNode_OnlyTheHttpPortAndTheSiloPortOnLoopback()
    {
        var orleans = OrleansListeners();
        var silo = Assert.Single(orleans);
        Assert.Equal(_server.SiloPort, silo.Port);
        Assert.True(IPAddress.IsLoopback(silo.Address), $"silo port bound to {silo.Address}, not loopback");
        Assert.DoesNotContain(ListeningSockets.Of(_server.Pid!.Value), e => e.Port == 30000);
    }

    [Fact]
    public async Task RogueOrleansClient_EveryOrleansPort_CannotCallAGrain()
    {
        var ports = OrleansListeners().Select(e => e.Port).Distinct().ToList();
        Assert.NotEmpty(ports);
        foreach (var port in ports)
        {
            var outcome = await RogueClient.TryCallAsync(port);
            Assert.True(outcome != "called", $"a plain Orleans client called a task grain through port {port} without any token");
        }

        Assert.Equal(HttpStatusCode.OK, (await _server.Api.GetAsync("/healthyz")).Status);
    }

    [Fact]
    public async Task Files_RootDataLogsScriptsWorkspace_AreForTheOwnerOnly_StepsKeepTheirUmask()
    {
        var id = Ids.New("modes");
        var detail = await _server.Api.RunAsync(id, Steps.Array(Steps.Of(
            "stat -c %a \"$TASK_STEP_SCRIPT_PATH\"; stat -c %a \"$TASK_WORKSPACE\"; umask; touch by-step; stat -c %a by-step", name: "s")));
        Assert.Equal(0, detail.Code);
        Assert.Equal(["600", "700", "0022", "644"], TaskApi.Lines(await _server.Api.ConsoleAsync(id, "s")));

        foreach (var dir in new[] { "", "data", "logs", "scripts", "workspace" })
        {
            var path = Path.Combine(_server.Root, dir);
            Assert.True(File.GetUnixFileMode(path) == Dir0700, $"{path} is {File.GetUnixFileMode(path)}");
        }

        var files = Directory.GetFiles(Path.Combine(_server.Root, "data")).Concat(Directory.GetFiles(Path.Combine(_server.Root, "logs"))).ToList();
        Assert.Contains(files, f => f.EndsWith("remote_executor.db-wal", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".log", StringComparison.Ordinal));
        foreach (var file in files)
        {
            Assert.True(File.GetUnixFileMode(file) == File0600, $"{file} is {File.GetUnixFileMode(file)}");
        }
    }

    [Fact]
    public async Task ExpiredTask_SecretEnvValue_IsNotLeftInTheDatabaseFiles()
    {
        var id = Ids.New("secret");
        var secret = "sv" + Guid.NewGuid().ToString("N");
        var plain = "pv" + Guid.NewGuid().ToString("N");
        var detail = await _server.Api.RunAsync(id, Steps.Array(Steps.Of("echo \"$RE_PLAIN\"", name: "s", env: [$"SECRET:RE_PW={secret}", $"RE_PLAIN={plain}"])));
        Assert.Equal(0, detail.Code);

        // The scan sees stored task data (the step printed the plain value into its console).
        Assert.True(DatabaseHolds(plain), "the scan does not find a value the task stored in the clear");

        await Poll.UntilAsync(
            async () => (await _server.Api.DetailAsync(id)).Status == HttpStatusCode.NotFound,
            ExpiryTests.ExpiryDeadline,
            $"task {id} did not expire");
        await Poll.UntilAsync(
            () => !DatabaseHolds(secret) && !DatabaseHolds(plain),
            Poll.Short,
            $"the expired task's values are still readable in {_server.Root}/data/remote_executor.db or its -wal");
    }

    [Fact]
    public async Task SecretValues_AreStoredEncrypted_WhileTheStepsStillGetThem()
    {
        var id = Ids.New("sealed");
        var taskSecret = "tsk" + Guid.NewGuid().ToString("N");
        var stepSecret = "stp" + Guid.NewGuid().ToString("N");
        var submit = await _server.Api.SubmitV1Async(
            Steps.Array(
                Steps.Of("printf %s \"$TS\" | sha256sum | cut -c1-64; printf %s \"$SS\" | sha256sum | cut -c1-64", name: "a", env: [$"SECRET:SS={stepSecret}"]),
                Steps.Of("sleep 3", name: "b")),
            $"id={id}&env_vars={Uri.EscapeDataString($"SECRET:TS={taskSecret}")}");
        Assert.Equal(HttpStatusCode.OK, submit.Status);

        // While the task runs, its state (with both secrets) is in the database: sealed, not readable.
        await Poll.UntilAsync(async () => TaskApi.Lines(await _server.Api.ConsoleAsync(id, "a")).Count == 2, Poll.Short, "step a's output");
        Assert.False(DatabaseHolds(taskSecret), "a task-level secret is stored in the clear");
        Assert.False(DatabaseHolds(stepSecret), "a step-level secret is stored in the clear");
        Assert.Equal(File0600, File.GetUnixFileMode(Path.Combine(_server.Root, "data", "secret.key")));

        // The processes got the real values.
        Assert.Equal([Sha256(taskSecret), Sha256(stepSecret)], TaskApi.Lines(await _server.Api.ConsoleAsync(id, "a")));
    }

    private static string Sha256(string value) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private bool DatabaseHolds(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        var utf16 = Encoding.Unicode.GetBytes(value);
        foreach (var suffix in new[] { "", "-wal" })
        {
            var path = Path.Combine(_server.Root, "data", "remote_executor.db" + suffix);
            if (!File.Exists(path))
            {
                continue;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
            if (bytes.IndexOf(utf8) >= 0 || bytes.IndexOf(utf16) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
