using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Follow;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>
/// The two live forms of a step's console: Server-Sent Events and a WebSocket. Both only format what a
/// <see cref="ConsoleFollower"/> hands out, one page at a time, and give up on a client that takes more than
/// <see cref="FollowTiming.StallCutOff"/> (30 s) to take a page (it resumes by line number).
/// </summary>
public static partial class ConsoleStreams
{
    /// <summary>Media type of the SSE form.</summary>
    public const string EventStream = "text/event-stream";

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The follow timing of this server (registered at start; the default when none is).</summary>
    public static FollowTiming Timing(HttpContext context) => context.RequestServices.GetService<FollowTiming>() ?? FollowTiming.Default;

    /// <summary>True when the client asks for Server-Sent Events.</summary>
    public static bool WantsEvents(HttpRequest request) =>
        request.Headers.Accept.Any(v => v is not null && v.Contains(EventStream, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first line to send: after <c>Last-Event-ID</c> (an EventSource reconnecting), else <c>from</c>, else 1.</summary>
    public static long FirstLine(HttpRequest request, long? from) =>
        long.TryParse(request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var last) && last < long.MaxValue
            ? last + 1
            : Math.Max(1, from ?? 1);

    /// <summary>Answers with an SSE stream: <c>event: line</c> per line (id = line number), then <c>event: end</c>.</summary>
    public static async Task SendEventsAsync(HttpContext context, ConsoleFollower follower, long from)
    {
        var response = PrepareEventStream(context);
        using var stop = StopToken(context);
        var cutOff = Timing(context).StallCutOff;
        var text = new StringBuilder();
        try
        {
            await response.StartAsync(stop.Token);
            await foreach (var e in follower.FollowAsync(from, stop.Token))
            {
                switch (e.Kind)
                {
                    case FollowEventKind.Lines:
                        foreach (var line in e.Lines)
                        {
                            text.Append(CultureInfo.InvariantCulture, $"id: {line.Line}\nevent: line\ndata: ").Append(LineJson(line)).Append("\n\n");
                        }

                        break;
                    case FollowEventKind.KeepAlive:
                        text.Append(": keep-alive\n\n");
                        break;
                    case FollowEventKind.End:
                        text.Append("event: end\ndata: ").Append(JsonSerializer.Serialize(e.End)).Append("\n\n");
                        break;
                }

                if (!await WriteAsync(response, text.ToString(), cutOff, stop.Token))
                {
                    LogSlowClient(Logger(context), context.Request.Path, cutOff, e.Lines.Count > 0 ? e.Lines[0].Line : 0);
                    context.Abort();
                    return;
                }

                text.Clear();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left or the server stops: the client resumes with Last-Event-ID.
        }
    }

    /// <summary>Answers a WebSocket upgrade: a text frame per line, then <c>{"end":{...}}</c>, then a normal close.</summary>
    public static async Task SendFramesAsync(HttpContext context, ConsoleFollower follower, long from)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var stop = StopToken(context);
        var cutOff = Timing(context).StallCutOff;
        var listening = ListenAsync(socket, stop);
        try
        {
            await foreach (var e in follower.FollowAsync(from, stop.Token))
            {
                foreach (var line in e.Lines)
                {
                    if (!await SendAsync(socket, LineJson(line), cutOff, stop.Token))
                    {
                        LogSlowClient(Logger(context), context.Request.Path, cutOff, line.Line);
                        socket.Abort();
                        return;
                    }
                }

                if (e.End is { } end && !await SendAsync(socket, JsonSerializer.Serialize(new { end }), cutOff, stop.Token))
                {
                    socket.Abort();
                    return;
                }
            }

            await CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "end", listening);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException && stop.IsCancellationRequested)
        {
            var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping.IsCancellationRequested == true;
            await CloseAsync(socket, stopping ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure,
                stopping ? "server shutting down; resume with ?from=" : "closed by client", listening);
        }
    }

    private static string LineJson(ConsoleLine line) => JsonSerializer.Serialize(new ConsoleLineDto(line.Timestamp, line.Line, line.Content));

    /// <summary>Ends with the request, or when the server begins to stop (streams would otherwise hold the shutdown).</summary>
    /// <summary>Headers of every Server-Sent Events answer: 200, the media type, no caching, no proxy buffering.</summary>
    internal static HttpResponse PrepareEventStream(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = EventStream + "; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        return response;
    }

    internal static CancellationTokenSource StopToken(HttpContext context)
    {
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        return CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
    }

    /// <summary>False when the client did not take the text within <paramref name="cutOff"/>.</summary>
    internal static async Task<bool> WriteAsync(HttpResponse response, string text, TimeSpan cutOff, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(cutOff);
        try
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), timeout.Token);
            await response.Body.FlushAsync(timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && !Stopping(response.HttpContext))
        {
            // Our cut-off, or the connection aborted under a pending write (Kestrel's own minimum data rate may
            // act first): either way the client stopped taking data and is dropped.
            return false;
        }
    }

    private static bool Stopping(HttpContext context) =>
        context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping.IsCancellationRequested ?? false;

    private static async Task<bool> SendAsync(WebSocket socket, string text, TimeSpan cutOff, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(cutOff);
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Reads (and drops) what the client sends, so its close frame is seen; a close or a drop stops the stream.</summary>
    private static async Task ListenAsync(WebSocket socket, CancellationTokenSource stop)
    {
        var buffer = new byte[1024];
        try
        {
            while ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason, Task listening)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await socket.CloseOutputAsync(status, reason, timeout.Token);
            await listening.WaitAsync(CloseTimeout);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
        {
            socket.Abort();
        }
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("RemoteExecutor.Api.ConsoleStreams");

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped a console follower of {Path}: it took no data for {CutOff} (it resumes from line {Line})")]
    private static partial void LogSlowClient(ILogger logger, string path, TimeSpan cutOff, long line);
}
