using System.Globalization;
using System.Text.RegularExpressions;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>
/// What stays in memory after a task ends: reading a finished task keeps its activation a few seconds, not for the
/// collection age (15 minutes), or a server that is read as fast as it runs tasks grows by every task of the last
/// 15 minutes (the bench soak saw RSS double in 10 minutes). Many readers of one finished task at once all get it.
/// </summary>
public sealed partial class ResidencyTests
{
    [Fact]
    public async Task FinishedTasks_ReadAgain_LeaveNoTaskOrStepActivationBehind()
    {
        await using var server = await ServerProcess.StartAsync();
        var ids = Enumerable.Range(0, 5).Select(_ => Ids.New("resident")).ToList();
        foreach (var id in ids)
        {
            await server.Api.RunAsync(id, Steps.Array(Steps.Of("echo done")));
        }

        foreach (var id in ids)
        {
            // Read again after the end, as a client or the web UI does; several readers at once.
            var reads = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => server.Api.DetailAsync(id)));
            Assert.All(reads, r => Assert.True(r.Code == 0, $"concurrent read of finished {id}: {r}"));
        }

        await Poll.UntilAsync(
            async () =>
            {
                var metrics = (await server.Api.GetAsync("/metrics")).Body;
                return Live(metrics, "task") == 0 && Live(metrics, "step") == 0;
            },
            Poll.Short,
            "task and step activations of finished tasks were still live (created_total > destroyed_total)");
    }

    private static long Live(string metrics, string grainType) =>
        Count(metrics, "created", grainType) - Count(metrics, "destroyed", grainType);

    private static long Count(string metrics, string what, string grainType) =>
        ActivationCounter().Matches(metrics)
            .Where(m => m.Groups["what"].Value == what && m.Groups["type"].Value == grainType)
            .Sum(m => long.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^orleans_catalog_activation_(?<what>created|destroyed)_total\{[^}]*grain_type=""(?<type>[^""]+)""[^}]*\} (?<n>\d+)", RegexOptions.Multiline)]
    private static partial Regex ActivationCounter();
}
