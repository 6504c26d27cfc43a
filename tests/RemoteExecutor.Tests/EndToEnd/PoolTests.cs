using System.Diagnostics;
using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Server with a one-slot pool and no authentication (the old tool's behaviour).</summary>
public sealed class SmallPoolServerFixture : ServerFixture
{
    protected override string[] Args => ["--pool_size=1", "--insecure"];
}

/// <summary>The worker pool: queueing, resizing, its counters; and <c>--insecure</c>.</summary>
public sealed class PoolTests : IClassFixture<SmallPoolServerFixture>
{
    private readonly ServerProcess _server;

    public PoolTests(SmallPoolServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    private async Task<(int Size, int Running, int Waiting)> PoolAsync()
    {
        var pool = await Api.GetAsync("/api/v1/pool");
        Assert.Equal(HttpStatusCode.OK, pool.Status);
        var d = pool.Data;
        return (d.GetProperty("size").GetInt32(), d.GetProperty("running").GetInt32(), d.GetProperty("waiting").GetInt32());
    }

    /// <summary>Two equal steps: whichever gets the single slot first holds it, the other must queue.</summary>
    private async Task<ApiAnswer> SubmitTwoSleepersAsync(string id)
    {
        await Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of("echo started; sleep 30; touch $TASK_STEP_ID-ran", name: "a"),
            Steps.Of("echo started; sleep 30; touch $TASK_STEP_ID-ran", name: "b")), "async=true");
        return await Poll.UntilAsync(
            async () =>
            {
                var d = await Api.DetailAsync(id);
                var states = d.Data.EnumerateArray().Select(s => s.GetProperty("state").GetInt32()).Order().ToList();
                return (states.SequenceEqual([1, 2]), d);
            },
            Poll.Short,
            last => $"expected one running and one pending step: {last}");
    }

    private static string StepIn(ApiAnswer detail, int state) =>
        detail.Data.EnumerateArray().Single(s => s.GetProperty("state").GetInt32() == state).GetProperty("name").GetString()!;

    [Fact]
    public async Task Pool_Full_QueuesStepsAsPendingUntilResizedUp()
    {
        Assert.Null(_server.Token);
        var id = Ids.New("queued");
        var detail = await SubmitTwoSleepersAsync(id);
        var queued = StepIn(detail, 2);
        Assert.Equal(1001, detail.Code);
        Assert.Equal((1, 1, 1), await PoolAsync());
        Assert.Equal(1004, (await Api.ConsoleAsync(id, queued)).Code);

        var resized = await Api.SendAsync(HttpMethod.Post, "/api/v1/pool", """{"size":2}""");
        Assert.Equal(HttpStatusCode.OK, resized.Status);
        Assert.Equal(2, resized.Data.GetProperty("size").GetInt32());
        try
        {
            await Api.WaitForStepRunningAsync(id, queued);
            await Poll.UntilAsync(async () => TaskApi.Lines(await Api.ConsoleAsync(id, queued)).SequenceEqual(["started"]), Poll.Short, "the queued step never printed");
            Assert.Equal((2, 2, 0), await PoolAsync());
        }
        finally
        {
            await Api.KillTaskAsync(id);
            await Api.WaitForFinalAsync(id);
            await Api.SendAsync(HttpMethod.Post, "/api/v1/pool", """{"size":1}""");
        }

        Assert.Equal((1, 0, 0), await PoolAsync());
    }

    [Fact]
    public async Task KillTask_StepWaitingForASlot_IsKilledBeforeItStarts()
    {
        var id = Ids.New("killqueued");
        var before = await SubmitTwoSleepersAsync(id);
        var (holder, waiter) = (StepIn(before, 1), StepIn(before, 2));
        Assert.Equal(1, (await PoolAsync()).Waiting);

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, (await Api.KillTaskAsync(id)).Code);
        var detail = await Api.WaitForFinalAsync(id);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"kill took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal("Killed", detail.Header("X-Task-STATE"));
        Assert.Equal(-255, detail.Step(holder).GetProperty("state").GetInt32());
        Assert.Contains(detail.Step(waiter).GetProperty("state").GetInt32(), new[] { -255, 4 });
        Assert.Empty(TaskApi.Lines(await Api.ConsoleAsync(id, waiter)));
        Assert.Equal((1, 0, 0), await PoolAsync());
    }

    [Fact]
    public async Task Task_AllStepsQueued_IsPendingWithCode1004()
    {
        var busy = Ids.New("busy");
        var queued = Ids.New("queuedtask");
        await Api.SubmitOkAsync(busy, Steps.Array(Steps.Of("sleep 30", name: "hog")));
        await Api.WaitForStepRunningAsync(busy, "hog");
        try
        {
            await Api.SubmitOkAsync(queued, Steps.Array(Steps.Of("echo finally", name: "later")));
            var detail = await Api.DetailAsync(queued);
            Assert.Equal(HttpStatusCode.OK, detail.Status);
            Assert.Equal(1004, detail.Code);
            Assert.Equal("Pending", detail.Header("X-Task-STATE"));
            Assert.Equal(2, detail.Step("later").GetProperty("state").GetInt32());
            Assert.Equal(2, TaskApi.ListedTasks(await Api.ListAsync())[queued].GetProperty("state").GetInt32());

            // It runs once the slot is free.
            await Api.KillTaskAsync(busy);
            var done = await Api.WaitForFinalAsync(queued);
            Assert.Equal(0, done.Code);
            Assert.Equal(["finally"], TaskApi.Lines(await Api.ConsoleAsync(queued, "later")));
        }
        finally
        {
            await Api.KillTaskAsync(busy);
            await Api.KillTaskAsync(queued);
        }
    }

    [Theory]
    [InlineData("""{"size":0}""")]
    [InlineData("""{"size":-3}""")]
    [InlineData("""{"size":"big"}""")]
    [InlineData("""{}""")]
    [InlineData("""[1]""")]
    [InlineData("""{"size":""")]
    public async Task Resize_BadBody_Answers400AndKeepsTheSize(string body)
    {
        var answer = await Api.SendAsync(HttpMethod.Post, "/api/v1/pool", body);
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.Equal(1, (await PoolAsync()).Size);
    }

    [Fact]
    public async Task Insecure_TaskRoutes_NeedNoToken()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        using var list = await anonymous.GetAsync(new Uri("/api/v1/task", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }
}
