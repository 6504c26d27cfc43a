using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>
/// Server with tight limits: finished tasks expire after 3 s, steps time out after 3 s unless they say otherwise,
/// and it serves one API request at a time.
/// </summary>
public sealed class ShortExpiryServerFixture : ServerFixture
{
    protected override string[] Args => ["--key_expire=3s", "--exec_timeout=3s", "--max-requests=1"];
}

/// <summary><c>--key_expire</c>: a finished task's records and workspace go away.</summary>
public sealed class ExpiryTests : IClassFixture<ShortExpiryServerFixture>
{
    /// <summary>Reminders may tick late; the contract promises expiry, not the second.</summary>
    public static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(90);

    private readonly ServerProcess _server;

    public ExpiryTests(ShortExpiryServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    [Fact]
    public async Task FinishedTask_AfterKeyExpire_IsGoneFromDetailListConsoleAndDisk()
    {
        var id = Ids.New("expire");
        var workspace = Path.Combine(_server.Root, "workspace", id);
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("echo remember-me > note.txt; echo done", name: "only")));
        Assert.Equal(0, detail.Code);

        await Poll.UntilAsync(
            async () => (await Api.DetailAsync(id)).Status == HttpStatusCode.NotFound,
            ExpiryDeadline,
            $"task {id} was not expired within {ExpiryDeadline.TotalSeconds} s with --key_expire=3s");

        var gone = await Api.DetailAsync(id);
        Assert.Equal(1003, gone.Code);
        var console = await Api.ConsoleAsync(id, "only");
        Assert.Equal(HttpStatusCode.NotFound, console.Status);
        Assert.Equal(1003, console.Code);
        await Poll.UntilAsync(async () => !TaskApi.ListedTasks(await Api.ListAsync()).ContainsKey(id), Poll.Short, $"task {id} still listed after expiry");
        await Poll.UntilAsync(() => !Directory.Exists(workspace), Poll.Short, $"workspace {workspace} still on disk after expiry");
    }

    [Fact]
    public async Task ExecTimeout_StepWithoutTimeout_GetsTheServerDefault()
    {
        var id = Ids.New("exectime");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var detail = await Api.RunAsync(id, Steps.Array(
            Steps.Of("sleep 30", name: "defaulted"),
            Steps.Of("sleep 4; echo own-timeout-wins", name: "own", timeout: "20s")), "async=true");
        Assert.Equal(-256, detail.Step("defaulted").GetProperty("state").GetInt32());
        Assert.Equal(0, detail.Step("own").GetProperty("state").GetInt32());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task ExpiredId_SubmittedAgain_RunsAsANewTask()
    {
        var id = Ids.New("reborn");
        await Api.RunAsync(id, Steps.Array(Steps.Of("echo first", name: "a")));
        await Poll.UntilAsync(async () => (await Api.DetailAsync(id)).Status == HttpStatusCode.NotFound, ExpiryDeadline, $"task {id} never expired");

        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of("echo second", name: "b")));
        Assert.Equal(0, detail.Code);
        Assert.Equal("b", Assert.Single(detail.Data.EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(["second"], TaskApi.Lines(await Api.ConsoleAsync(id, "b")));
    }

    /// <summary>A request body that stops half-way until released: the request holds its slot meanwhile.</summary>
    private sealed class HeldBody : HttpContent
    {
        public HeldBody() => Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync("["u8.ToArray());
            await stream.FlushAsync();
            await Release.Task;
            await stream.WriteAsync("]"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task MaxRequests_OverTheLimit_Answers429EnvelopeButProbesStayOpen()
    {
        var body = new HeldBody();
        using var held = new HttpRequestMessage(HttpMethod.Post, "/api/v1/task") { Content = body };
        var pending = _server.Http.SendAsync(held);
        try
        {
            var refused = await Poll.UntilAsync(
                async () =>
                {
                    var answer = await Api.ListAsync();
                    return (answer.Status == HttpStatusCode.TooManyRequests, answer);
                },
                Poll.Short,
                last => $"a second request was never refused while the first held the only slot: {last}");
            Assert.NotEqual(0, refused.Code);
            Assert.Contains("max-requests", refused.Message, StringComparison.Ordinal);

            using var health = await _server.Http.GetAsync(new Uri("/healthyz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            body.Release.TrySetResult();
            using var first = await pending;
            Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await Api.ListAsync()).Status);
    }
}
