using System.Diagnostics;
using System.Net;
using RemoteExecutor.Tests.Harness;
using Xunit.Abstractions;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Durability;

/// <summary>Nothing accepted is ever lost or stuck: a SIGKILLed server, restarted on the same root, finishes what it had.</summary>
[Collection(DurabilityCollection.Name)]
public sealed class CrashRecoveryTests
{
    /// <summary>The promise: after the restart, the task is final within this time, with no client request.</summary>
    private static readonly TimeSpan RecoveryDeadline = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;

    public CrashRecoveryTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Sigkill_WhileADagRuns_RestartFinishesTheTaskByItself()
    {
        var marker = Marker(700_000);
        await using var server = await ServerProcess.StartAsync(["--pool_size=1"]);
        try
        {
            // A task that finished before the crash: it must come back unchanged.
            var doneId = Ids.New("intact");
            var done = await server.Api.RunAsync(doneId, Steps.Array(Steps.Of("echo kept-1; echo kept-2 >&2", name: "only")));
            Assert.Equal(0, done.Code);
            var doneConsole = TaskApi.Lines(await server.Api.ConsoleAsync(doneId, "only"));
            Assert.Equal(["kept-1", "kept-2"], doneConsole);
            var doneListed = await ListedAsync(server.Api, doneId) ?? throw new InvalidOperationException($"{doneId} not listed");

            // Pool of 1: a holds the only slot. c waits either for q (queued behind a) or, when q slipped in
            // first, in the queue behind a (FIFO). Either way c is pending when the server dies.
            var id = Ids.New("crash");
            await server.Api.SubmitOkAsync(id, Steps.Array(
                Steps.Of($"echo before; {marker}", name: "a"),
                Steps.Of("echo q-ran", name: "q"),
                Steps.Of("echo b-ran", name: "b", dependsOn: ["a"]),
                Steps.Of("echo c-ran", name: "c", dependsOn: ["q"])), "async=true");
            await server.Api.WaitForStepRunningAsync(id, "a");
            await Poll.UntilAsync(async () => await HostProcesses.CountAsync(marker) == 1, Poll.Short, $"'{marker}' of step a never started");
            await Poll.UntilAsync(
                async () => TaskApi.Lines(await server.Api.ConsoleAsync(id, "a")).Contains("before"),
                Poll.Short,
                "step a's line 'before' never reached the console");
            var atKill = await server.Api.DetailAsync(id);
            _output.WriteLine($"at the kill: {atKill}");
            Assert.Equal(1, State(atKill.Step("a")));
            Assert.Equal(2, State(atKill.Step("b")));
            Assert.Equal(2, State(atKill.Step("c")));

            await server.KillAsync();
            var orphansAfterKill = await HostProcesses.CountAsync(marker);
            _output.WriteLine($"after SIGKILL of the server, '{marker}' processes alive: {orphansAfterKill}");

            await server.RestartAsync(kill: false);
            var clock = Stopwatch.StartNew();
            var listed = await WaitListedFinalAsync(server.Api, id, RecoveryDeadline);
            _output.WriteLine($"task final in the list {clock.Elapsed.TotalSeconds:0.0} s after the restart: {listed}");

            var detail = await server.Api.DetailAsync(id);
            Assert.Equal(HttpStatusCode.OK, detail.Status);
            Assert.Contains(detail.Header("X-Task-STATE") ?? "", TaskApi.FinalStateNames);
            var a = detail.Step("a");
            Assert.Equal(-999, State(a));
            Assert.Contains("restarted", Msg(a), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(4, State(detail.Step("b")));

            var consoleA = await server.Api.ConsoleAsync(id, "a");
            Assert.Equal(HttpStatusCode.OK, consoleA.Status);
            Assert.Equal(1002, consoleA.Code);
            Assert.Equal(["before"], TaskApi.Lines(consoleA));

            // The task finished before the crash is intact: detail, console and list.
            var doneAfter = await server.Api.DetailAsync(doneId);
            Assert.Equal(done.Code, doneAfter.Code);
            Assert.Equal(done.Header("X-Task-STATE"), doneAfter.Header("X-Task-STATE"));
            foreach (var field in new[] { "state", "code", "msg", "command_content", "times" })
            {
                Assert.Equal(done.Step("only").GetProperty(field).ToString(), doneAfter.Step("only").GetProperty(field).ToString());
            }

            Assert.Equal(doneConsole, TaskApi.Lines(await server.Api.ConsoleAsync(doneId, "only")));
            var doneListedAfter = await ListedAsync(server.Api, doneId) ?? throw new InvalidOperationException($"{doneId} no longer listed");
            foreach (var field in new[] { "state", "code", "msg", "count", "times" })
            {
                Assert.Equal(doneListed.GetProperty(field).ToString(), doneListedAfter.GetProperty(field).ToString());
            }

            // The step's process was in its own session, so it outlived the SIGKILL; the restarted server,
            // having declared the step lost (-999), must not let it run on unseen.
            await Poll.UntilAsync(
                async () => await HostProcesses.CountAsync(marker) == 0,
                TimeSpan.FromSeconds(20),
                $"'{marker}' of step {id}/a still runs after the restarted server declared it lost (-999): orphaned step process");

            // Last, so that a failure here does not hide the checks above: the steps that were only waiting
            // (never started) run after the restart instead of being declared lost.
            Assert.True(State(detail.Step("q")) == 0 && State(detail.Step("c")) == 0,
                $"q and c were pending at the crash (never started) and must run after the restart; detail: {detail}");
            Assert.Equal(0, detail.Step("c").GetProperty("code").GetInt32());
            Assert.Equal(["c-ran"], TaskApi.Lines(await server.Api.ConsoleAsync(id, "c")));
            Assert.Equal(1002, detail.Code);
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }

    [Fact]
    public async Task TaskDeadline_PassingWhileTheServerIsDown_EndsTimeoutAfterRestart()
    {
        var marker = Marker(710_000);
        await using var server = await ServerProcess.StartAsync();
        try
        {
            var id = Ids.New("deadline");
            var clock = Stopwatch.StartNew();
            await server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of(marker, name: "long"), Steps.Of("echo never", name: "after")), "timeout=5s");
            await server.Api.WaitForStepRunningAsync(id, "long");
            await server.KillAsync();
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the machine is too slow for this test: the kill came {clock.Elapsed.TotalSeconds:0.0} s after the submit");

            // The deadline passes while nothing runs.
            await Poll.UntilAsync(() => clock.Elapsed > TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(10), "clock");
            await server.RestartAsync(kill: false);

            var listed = await WaitListedFinalAsync(server.Api, id, RecoveryDeadline);
            Assert.Equal(-256, listed.GetProperty("state").GetInt32());
            var detail = await server.Api.DetailAsync(id);
            Assert.Equal("Timeout", detail.Header("X-Task-STATE"));
            Assert.Equal(1002, detail.Code);
            Assert.Contains(State(detail.Step("long")), new[] { -256, -999 });
            Assert.Equal(4, State(detail.Step("after")));
            Assert.Empty(TaskApi.Lines(await server.Api.ConsoleAsync(id, "after")));
        }
        finally
        {
            await HostProcesses.KillAllAsync(marker);
        }
    }
}
