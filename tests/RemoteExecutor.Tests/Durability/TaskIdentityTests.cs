using System.Net;
using RemoteExecutor.Tests.Harness;
using Xunit.Abstractions;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Durability;

/// <summary>
/// Distinct task ids are distinct records, in memory and in storage: ids that read as the same number or hex
/// value ("7" and "07", "cafe" and "CAFE") must not share or overwrite each other's state, before or after a restart.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class TaskIdentityTests
{
    private readonly ITestOutputHelper _output;

    public TaskIdentityTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task IdsThatLookAlikeAsNumbers_AreSeparateTasks_AndStaySoAfterARestart()
    {
        await using var server = await ServerProcess.StartAsync();
        var pairs = new[] { ("7", "07"), ("cafe", "CAFE"), ("beef", "0beef") };
        foreach (var (first, _) in pairs)
        {
            var done = await server.Api.RunAsync(first, Steps.Array(Steps.Of($"echo I am {first}", name: "who")));
            Assert.Equal(0, done.Code);
        }

        foreach (var (first, second) in pairs)
        {
            var never = await server.Api.DetailAsync(second);
            _output.WriteLine($"GET {second} after only {first} was submitted: {never}");
            Assert.True(never.Status == HttpStatusCode.NotFound && never.Code == 1003, $"task {second} was never submitted, yet it has a record (that of {first}?): {never}");
        }

        foreach (var (_, second) in pairs)
        {
            var answer = await server.Api.SubmitV1Async(Steps.Array(Steps.Of($"echo I am {second}", name: "other")), $"id={second}");
            Assert.True(answer.Status == HttpStatusCode.OK && answer.Code == 0, $"submit of {second}: {answer}");
            Assert.Equal(0, (await server.Api.WaitForFinalAsync(second)).Code);
        }

        await server.RestartAsync(kill: true);
        foreach (var (first, second) in pairs)
        {
            foreach (var (id, step) in new[] { (first, "who"), (second, "other") })
            {
                var detail = await server.Api.DetailAsync(id);
                Assert.True(detail.Status == HttpStatusCode.OK, $"task {id}: {detail}");
                var names = detail.Data.EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
                Assert.True(names.SequenceEqual([step]), $"task {id} shows the steps {string.Join(",", names)}, not its own ({step}): {detail}");
                Assert.Equal([$"I am {id}"], TaskApi.Lines(await server.Api.ConsoleAsync(id, step)));
            }
        }

        var listed = TaskApi.ListedTasks(await server.Api.ListAsync());
        foreach (var (first, second) in pairs)
        {
            Assert.Equal(0, State(listed[first]));
            Assert.Equal(0, State(listed[second]));
        }
    }
}
