using System.Globalization;
using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>A kill or timeout that lands right after the spawn, before the step leads its own process group, is not lost.</summary>
public sealed class KillRaceTests
{
    private const int Tasks = 40;

    [Fact]
    public async Task KillRightAfterSubmit_ManyTasks_AllEndKilledAndNoProcessIsLeft()
    {
        await using var server = await ServerProcess.StartAsync(["--pool_size=64"]);
        var api = server.Api;

        // A sleep length no other test uses, so ps shows exactly this test's processes.
        var seconds = "29." + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var command = $"sleep {seconds}";
        var ids = Enumerable.Range(0, Tasks).Select(i => Ids.New($"race{i}")).ToList();
        await Task.WhenAll(ids.Select(async (id, i) =>
        {
            // Half are killed, half time out at once: both stop a step the moment it has started.
            await api.SubmitOkAsync(id, Steps.Array(Steps.Of(command, name: "sleeper", timeout: i % 2 == 0 ? null : "1ms")));
            if (i % 2 == 0)
            {
                Assert.Equal(HttpStatusCode.OK, (await api.KillTaskAsync(id)).Status);
            }
        }));

        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var detail = await api.WaitForFinalAsync(id, TimeSpan.FromSeconds(20));
            Assert.Equal(i % 2 == 0 ? -255 : -256, detail.Step("sleeper").GetProperty("state").GetInt32());
        }

        await Poll.UntilAsync(async () => await HostProcesses.CountAsync(command) == 0, TimeSpan.FromSeconds(10),
            $"\"{command}\" processes outlived their killed or timed-out steps");
    }
}
