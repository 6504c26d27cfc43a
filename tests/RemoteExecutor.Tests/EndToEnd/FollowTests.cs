using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Following a step's console live: Server-Sent Events and a WebSocket on the console route.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class FollowTests
{
    private const int LineCount = 40;

    /// <summary>Prints "line 1" … "line 40", one every 50 ms, then exits 2.</summary>
    private static readonly string Ticker = $"for i in $(seq 1 {LineCount}); do echo \"line $i\"; sleep 0.05; done; exit 2";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly ServerProcess _server;

    public FollowTests(ApiServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task Sse_RunningStep_SeesEveryLineOnceInOrderThenEnd()
    {
        var id = Ids.New("sse");
        await _server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of(Ticker, name: "tick")));
        using var deadline = new CancellationTokenSource(Deadline);

        using var response = await EventStream.OpenAsync(_server.Http, $"/api/v1/task/{id}/tick/console", cancellationToken: deadline.Token);
        var events = await ToListAsync(EventStream.ReadAsync(response, deadline.Token));

        AssertLines(events.SkipLast(1), 1, LineCount);
        AssertEnd(events[^1], state: 0, code: 2, msg: "exit code: 2");
    }

    [Fact]
    public async Task Sse_ReconnectWithLastEventId_ResumesWithoutLossOrDuplicate()
    {
        var id = Ids.New("sseresume");
        await _server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of(Ticker, name: "tick")));
        using var deadline = new CancellationTokenSource(Deadline);
        var path = $"/api/v1/task/{id}/tick/console?from=1";

        var seen = new List<ServerSentEvent>();
        using (var first = await EventStream.OpenAsync(_server.Http, path, cancellationToken: deadline.Token))
        {
            await foreach (var e in EventStream.ReadAsync(first, deadline.Token))
            {
                seen.Add(e);
                if (seen.Count == 10)
                {
                    break;
                }
            }
        }

        // Like a browser's EventSource: the same URL again, with the last id it saw.
        using var second = await EventStream.OpenAsync(_server.Http, path, lastEventId: seen[^1].Id, cancellationToken: deadline.Token);
        seen.AddRange(await ToListAsync(EventStream.ReadAsync(second, deadline.Token)));

        AssertLines(seen.SkipLast(1), 1, LineCount);
        AssertEnd(seen[^1], state: 0, code: 2, msg: "exit code: 2");
    }

    [Fact]
    public async Task Sse_FinishedStepOnRootShortcut_SendsAllLinesThenEndAndCloses()
    {
        var id = Ids.New("ssedone");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("seq 1500 | sed 's/^/line /'", name: "many")));
        using var deadline = new CancellationTokenSource(Deadline);

        using var response = await EventStream.OpenAsync(_server.Http, $"/{id}/many/console", cancellationToken: deadline.Token);
        var events = await ToListAsync(EventStream.ReadAsync(response, deadline.Token));

        AssertLines(events.SkipLast(1), 1, 1500);
        AssertEnd(events[^1], state: 0, code: 0, msg: "success");
    }

    [Fact]
    public async Task WebSocket_RunningStep_SeesEveryLineThenEndFrameThenNormalClose()
    {
        var id = Ids.New("ws");
        await _server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of(Ticker, name: "tick")));
        using var deadline = new CancellationTokenSource(Deadline);

        var (frames, close) = await FollowWebSocketAsync($"/api/v1/task/{id}/tick/console", deadline.Token);

        Assert.Equal(Enumerable.Range(1, LineCount).Select(n => $"{n}:line {n}"), frames.SkipLast(1).Select(LineOf));
        var end = frames[^1].GetProperty("end");
        Assert.Equal((0, 2, "exit code: 2"), (end.GetProperty("state").GetInt32(), end.GetProperty("code").GetInt32(), end.GetProperty("msg").GetString()));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close);

        // A client that lost its connection resumes by line number.
        var (rest, _) = await FollowWebSocketAsync($"/api/v1/task/{id}/tick/console?from=31", deadline.Token);
        Assert.Equal(Enumerable.Range(31, 10).Select(n => $"{n}:line {n}"), rest.SkipLast(1).Select(LineOf));
        Assert.True(rest[^1].TryGetProperty("end", out _));
    }

    [Fact]
    public async Task Follow_UnknownStep_Answers404EnvelopeWhereTheKnownOneStreams()
    {
        var id = Ids.New("follow404");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("true", name: "only")));
        using var deadline = new CancellationTokenSource(Deadline);

        using (var known = await EventStream.OpenAsync(_server.Http, $"/api/v1/task/{id}/only/console", cancellationToken: deadline.Token))
        {
            AssertEnd(Assert.Single(await ToListAsync(EventStream.ReadAsync(known, deadline.Token))), state: 0, code: 0, msg: "success");
        }

        using var sse = await EventStream.OpenAsync(_server.Http, $"/api/v1/task/{id}/nope/console", cancellationToken: deadline.Token);
        Assert.Equal(HttpStatusCode.NotFound, sse.StatusCode);
        Assert.Equal(1003, JsonDocument.Parse(await sse.Content.ReadAsStringAsync(deadline.Token)).RootElement.GetProperty("code").GetInt32());

        Assert.Equal(HttpStatusCode.NotFound, await RefusedUpgradeAsync($"/api/v1/task/{id}/nope/console", _server.Token, origin: null, deadline.Token));
    }

    [Fact]
    public async Task Follow_NeedsTheTokenAndAnAllowedOrigin()
    {
        var id = Ids.New("followauth");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("echo hi", name: "s")));
        using var deadline = new CancellationTokenSource(Deadline);
        var path = $"/api/v1/task/{id}/s/console";

        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        using var sse = await EventStream.OpenAsync(anonymous, path, cancellationToken: deadline.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, sse.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedUpgradeAsync(path, token: null, origin: null, deadline.Token));
        Assert.Equal(HttpStatusCode.Forbidden, await RefusedUpgradeAsync(path, _server.Token, origin: "https://evil.example", deadline.Token));

        // A page of the server's own origin (a browser sends Origin on every WebSocket) is let through.
        var (frames, close) = await FollowWebSocketAsync(path, deadline.Token, origin: $"http://127.0.0.1:{_server.Port}");
        Assert.Equal(["1:hi"], frames.SkipLast(1).Select(LineOf));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close);
    }

    [Fact]
    public async Task TaskEvents_DagWithAFailedStep_ReplaysThenFollowsEveryTransitionToTheEnd()
    {
        var id = Ids.New("events");
        await _server.Api.SubmitOkAsync(id, Steps.Array(
            Steps.Of("sleep 0.3; exit 1", name: "a"),
            Steps.Of("echo never", name: "b", dependsOn: ["a"]),
            Steps.Of("echo c", name: "c")), "async=true");
        using var deadline = new CancellationTokenSource(Deadline);

        using var response = await EventStream.OpenAsync(_server.Http, $"/api/v1/task/{id}/events", cancellationToken: deadline.Token);
        var events = await ToListAsync(EventStream.ReadAsync(response, deadline.Token));

        var names = events.Select(e => e.Event + ":" + JsonDocument.Parse(e.Data).RootElement.GetProperty("step").GetString()).ToList();
        Assert.Equal("task.accepted:", names[0]);
        Assert.Equal("task.finished:", names[^1]);
        Assert.Equal(["step.finished:a", "step.finished:c", "step.skipped:b", "step.started:a", "step.started:c"], names[1..^1].Order(StringComparer.Ordinal));
        Assert.True(names.IndexOf("step.started:a") < names.IndexOf("step.finished:a"), string.Join(", ", names));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct().Count());

        var failed = JsonDocument.Parse(events[names.IndexOf("step.finished:a")].Data).RootElement;
        Assert.Equal((id, 0, 1, "exit code: 1"), (failed.GetProperty("task").GetString(), failed.GetProperty("state").GetInt32(),
            failed.GetProperty("code").GetInt32(), failed.GetProperty("msg").GetString()));
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("node").GetString()));
        Assert.True(DateTimeOffset.TryParse(failed.GetProperty("time").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));

        using var unknown = await EventStream.OpenAsync(_server.Http, $"/api/v1/task/{Ids.New("none")}/events", cancellationToken: deadline.Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private static void AssertLines(IEnumerable<ServerSentEvent> events, int first, int last)
    {
        var lines = events.ToList();
        Assert.All(lines, e => Assert.Equal("line", e.Event));
        Assert.Equal(Enumerable.Range(first, last - first + 1).Select(n => $"{n}:{n}:line {n}"),
            lines.Select(e => $"{e.Id}:{LineOf(JsonDocument.Parse(e.Data).RootElement)}"));
        Assert.All(lines, e => Assert.True(JsonDocument.Parse(e.Data).RootElement.GetProperty("timestamp").GetInt64() > 0));
    }

    private static void AssertEnd(ServerSentEvent end, int state, int code, string msg)
    {
        Assert.Equal("end", end.Event);
        var data = JsonDocument.Parse(end.Data).RootElement;
        Assert.Equal((state, code, msg), (data.GetProperty("state").GetInt32(), data.GetProperty("code").GetInt32(), data.GetProperty("msg").GetString()));
    }

    private static string LineOf(JsonElement line) => $"{line.GetProperty("line").GetInt64()}:{line.GetProperty("content").GetString()}";

    private Uri SocketUri(string path) => new($"ws://127.0.0.1:{_server.Port}{path}");

    /// <summary>Connects, reads every frame until the server closes, answers the close.</summary>
    private async Task<(List<JsonElement> Frames, WebSocketCloseStatus? Close)> FollowWebSocketAsync(string path, CancellationToken cancellationToken, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {_server.Token}");
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        await socket.ConnectAsync(SocketUri(path), cancellationToken);
        var frames = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", cancellationToken);
                return (frames, result.CloseStatus);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                frames.Add(JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray())).RootElement.Clone());
                message.SetLength(0);
            }
        }
    }

    /// <summary>The HTTP status that refused a WebSocket upgrade.</summary>
    private async Task<HttpStatusCode> RefusedUpgradeAsync(string path, string? token, string? origin, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }

        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(SocketUri(path), cancellationToken));
        return socket.HttpStatusCode;
    }
}
