using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Plugins;

/// <summary>
/// A tiny HTTP server for http steps: <c>/ok</c> answers 200 with a header and two body lines, <c>/fail</c> 500,
/// <c>/hang/{key}</c> signals <see cref="Arrived"/> and answers only when disposed.
/// </summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrived = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public LocalHttpServer()
    {
        Port = ServerProcess.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>Completes when a request for <c>/hang/{key}</c> has arrived.</summary>
    public Task Arrived(string key) => _arrived.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            var path = context.Request.Url!.AbsolutePath;
            var response = context.Response;
            if (path.StartsWith("/hang/", StringComparison.Ordinal))
            {
                _arrived.GetOrAdd(path["/hang/".Length..], _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                await _release.Task;
            }

            response.StatusCode = path == "/fail" ? 500 : 200;
            response.Headers["X-Test"] = "yes";
            using var reader = new StreamReader(context.Request.InputStream);
            var sent = await reader.ReadToEndAsync();
            var body = Encoding.UTF8.GetBytes(path == "/fail" ? "boom\n" : $"line one\nline two\nmethod {context.Request.HttpMethod} body {sent}\n");
            await response.OutputStream.WriteAsync(body);
            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away (a killed step): nothing to answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
