using System.Diagnostics;
using System.Net;
using RemoteExecutor.Tests.Harness;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Durability;

/// <summary><c>--key_expire</c> is kept across restarts, graceful or not.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class ExpiryAcrossRestartTests
{
    private static readonly TimeSpan KeyExpire = TimeSpan.FromSeconds(15);

    /// <summary>Reminders tick late (their period is at least a minute); the promise is expiry, not the second.</summary>
    private static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(150);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FinishedTask_ServerRestarted_IsStillDeletedAfterItsDeadline(bool sigkill)
    {
        await using var server = await ServerProcess.StartAsync(["--key_expire=15s"]);
        var id = Ids.New(sigkill ? "expkill" : "expterm");
        var workspace = Path.Combine(server.Root, "workspace", id);
        var detail = await server.Api.RunAsync(id, Steps.Array(Steps.Of("echo keep > kept.txt; echo done", name: "only")));
        Assert.Equal(0, detail.Code);
        var finished = Stopwatch.StartNew();
        Assert.True(File.Exists(Path.Combine(workspace, "kept.txt")));

        await server.RestartAsync(kill: sigkill);

        var early = await server.Api.DetailAsync(id);
        if (finished.Elapsed < KeyExpire - TimeSpan.FromSeconds(3))
        {
            Assert.True(early.Status == HttpStatusCode.OK, $"task {id} is gone {finished.Elapsed.TotalSeconds:0.0} s after it finished, before its key_expire of 15 s: {early}");
        }

        await Poll.UntilAsync(
            async () => (await server.Api.DetailAsync(id)).Status == HttpStatusCode.NotFound,
            ExpiryDeadline,
            $"task {id} was not deleted within {ExpiryDeadline.TotalSeconds} s of finishing (key_expire 15s, restarted with {(sigkill ? "SIGKILL" : "SIGTERM")})");
        // The stopwatch started when the client saw the end, which is up to a poll interval after the end itself.
        Assert.True(finished.Elapsed >= KeyExpire - TimeSpan.FromSeconds(1), $"task {id} deleted after {finished.Elapsed.TotalSeconds:0.0} s, before its key_expire");

        var gone = await server.Api.DetailAsync(id);
        Assert.Equal(1003, gone.Code);
        var console = await server.Api.ConsoleAsync(id, "only");
        Assert.Equal(HttpStatusCode.NotFound, console.Status);
        Assert.Equal(1003, console.Code);
        await Poll.UntilAsync(async () => await ListedAsync(server.Api, id) is null, Poll.Short, $"task {id} still listed after it expired");
        await Poll.UntilAsync(() => !Directory.Exists(workspace), Poll.Short, $"workspace {workspace} still on disk after the task expired");
    }
}
