using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RemoteExecutor.Tests.Harness;

/// <summary>A local webhook receiver: records every POST (CloudEvent body and signature check); can be down and up again on its port.</summary>
public sealed class HookReceiver : IAsyncDisposable
{
    private readonly List<Received> _received = [];
    private readonly string _secret;
    private HttpListener? _listener;
    private Task? _loop;

    public HookReceiver(string secret)
    {
        _secret = secret;
        Port = ServerProcess.FreePort();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/hook/";

    /// <summary>One received POST: its CloudEvent and whether its signature matched the secret.</summary>
    public sealed record Received(string Id, string Type, string Task, string Step, bool SignatureValid, string Body);

    public IReadOnlyList<Received> Snapshot()
    {
        lock (_received)
        {
            return [.. _received];
        }
    }

    /// <summary>The events received for <paramref name="task"/>, in arrival order.</summary>
    public IReadOnlyList<Received> Of(string task) => [.. Snapshot().Where(r => r.Task == task)];

    public void Start()
    {
        var listener = new HttpListener();
        listener.Prefixes.Add(Url);
        listener.Start();
        _listener = listener;
        _loop = Task.Run(() => ServeAsync(listener));
    }

    public async Task StopAsync()
    {
        if (_listener is { } listener)
        {
            listener.Close();
            _listener = null;
            await _loop!;
        }
    }

    private async Task ServeAsync(HttpListener listener)
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_secret), body));
            var root = JsonDocument.Parse(body).RootElement;
            var data = root.GetProperty("data");
            var received = new Received(root.GetProperty("id").GetString()!, root.GetProperty("type").GetString()!,
                data.GetProperty("task").GetString()!, data.GetProperty("step").GetString()!,
                context.Request.Headers["X-RemoteExecutor-Signature"] == expected && context.Request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.Ordinal) == true,
                Encoding.UTF8.GetString(body));
            lock (_received)
            {
                _received.Add(received);
            }

            context.Response.StatusCode = 204;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
