using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Storage;

/// <summary>
/// A grain-state write stuck on the SQLite writer thread (a stalled disk, simulated by the test-only hold file) holds
/// only the task that writes: the pool, another task's detail, its console and the task list still answer.
/// </summary>
public sealed class StalledStorageTests
{
    [Fact]
    public async Task StateWrite_StalledOnTheWriterThread_UnrelatedRoutesAnswerAndTheSubmitCompletesAfterwards()
    {
        var hold = Path.Combine(Path.GetTempPath(), Ids.New("io-hold"));
        await using var server = await ServerProcess.StartAsync(env: new Dictionary<string, string> { ["REMOTE_EXECUTOR_TEST_IO_HOLD_FILE"] = hold });
        var earlier = Ids.New("earlier");
        await server.Api.RunAsync(earlier, Steps.Array(Steps.Of("echo before the stall", name: "s")));

        await File.WriteAllTextAsync(hold, "");
        Task<ApiAnswer> submit;
        var stalled = Ids.New("stalled");
        try
        {
            submit = server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo after the stall")), $"id={stalled}");

            // The summary row goes in first; the task's state write comes next and waits for the disk.
            await Poll.UntilAsync(async () =>
            {
                var list = await server.Api.ListAsync();
                return (TaskApi.ListedTasks(list).ContainsKey(stalled), list);
            }, Poll.Short, last => $"the stalled task never showed in the list: {last}");

            var pool = await server.Api.GetAsync("/api/v1/pool");
            Assert.Equal(HttpStatusCode.OK, pool.Status);
            Assert.Equal(0, pool.Code);
            var detail = await server.Api.DetailAsync(earlier);
            Assert.Equal(HttpStatusCode.OK, detail.Status);
            Assert.Equal("Stop", detail.Header("X-Task-STATE"));
            Assert.Equal(["before the stall"], TaskApi.Lines(await server.Api.ConsoleAsync(earlier, "s")));
            Assert.Contains(earlier, TaskApi.ListedTasks(await server.Api.ListAsync()).Keys);

            // Still held: the submit cannot have been answered while its state write waits.
            Assert.False(submit.IsCompleted, "the submit was answered while its state write was held");
        }
        finally
        {
            File.Delete(hold);
        }

        var accepted = await submit;
        Assert.True(accepted.Status == HttpStatusCode.OK && accepted.Code == 0, $"submit after the stall: {accepted}");
        var final = await server.Api.WaitForFinalAsync(stalled);
        Assert.Equal("Stop", final.Header("X-Task-STATE"));
    }
}
