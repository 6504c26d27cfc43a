using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RemoteExecutor.Silo.Cli.Client;

namespace RemoteExecutor.Bench;

/// <summary>Business codes of the envelope (see docs/api-contract.md).</summary>
internal static class Codes
{
    public const int Success = 0;
    public const int Internal = 500;
    public const int InProgress = 1001;
    public const int Failed = 1002;
    public const int NotFound = 1003;
    public const int Pending = 1004;
    public const int Paused = 1005;

    /// <summary>A task detail code that means the task has finished (successfully or not).</summary>
    public static bool IsFinal(int code) => code is Success or Failed;
}

internal readonly record struct SubmitResult(bool Ok, string? Id, int Status, int Code, string Message);

internal readonly record struct PoolInfo(int Size, long Total, int Running, int Waiting);

/// <summary>The bench's view of the HTTP API: only what the scenarios need, envelope parsing included.</summary>
internal sealed class ApiClient : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http;

    public ApiClient(Uri baseUri, string? token)
    {
        BaseUri = baseUri;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 512,
            PooledConnectionLifetime = TimeSpan.FromMinutes(30),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = baseUri,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseUri { get; }

    public void Dispose() => _http.Dispose();

    /// <summary>POST /api/v1/task with a JSON array of steps.</summary>
    public async Task<SubmitResult> SubmitAsync(string stepsJson, string query, CancellationToken ct)
    {
        try
        {
            var (status, body) = await SendAsync(HttpMethod.Post, "api/v1/task" + query, stepsJson, DefaultTimeout, ct);
            var (code, message, id) = ParseEnvelope(body, readId: true);
            return new SubmitResult(code == Codes.Success && id is not null, id, status, code, message);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return new SubmitResult(false, null, 0, -1, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>GET /api/v1/task/{id}: (HTTP status, envelope code, message); code -1 on a transport error.</summary>
    public async Task<(int Status, int Code, string Message)> TaskCodeAsync(string id, CancellationToken ct)
    {
        try
        {
            var (status, body) = await SendAsync(HttpMethod.Get, "api/v1/task/" + Uri.EscapeDataString(id), null, DefaultTimeout, ct);
            var (code, message, _) = ParseEnvelope(body, readId: false);
            return (status, code, message);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return (0, -1, ex.GetType().Name + ": " + ex.Message);
        }
    }

    public async Task<PoolInfo?> PoolAsync(CancellationToken ct)
    {
        try
        {
            var (_, body) = await SendAsync(HttpMethod.Get, "api/v1/pool", null, TimeSpan.FromSeconds(10), ct);
            var d = ApiEnvelope.TryRead(body)?.Data ?? throw new JsonException("not an envelope");
            return new PoolInfo(d.GetProperty("size").GetInt32(), d.GetProperty("total").GetInt64(),
                d.GetProperty("running").GetInt32(), d.GetProperty("waiting").GetInt32());
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                       || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary>GET of any path, whole body read; throws on transport errors.</summary>
    public Task<(int Status, byte[] Body)> GetAsync(string path, TimeSpan timeout, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, path, null, timeout, ct);

    /// <summary>GET whose body is streamed into a buffer (large console answers).</summary>
    public async Task<(int Status, MemoryStream Body)> GetStreamedAsync(string path, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var buffer = new MemoryStream(capacity: 1 << 20);
        await using (var stream = await response.Content.ReadAsStreamAsync(cts.Token))
        {
            await stream.CopyToAsync(buffer, 1 << 16, cts.Token);
        }

        buffer.Position = 0;
        return ((int)response.StatusCode, buffer);
    }

    /// <summary>GET with <c>Accept: text/event-stream</c>, returned once the headers arrived (the body still streams).</summary>
    public async Task<HttpResponseMessage> OpenEventStreamAsync(string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private async Task<(int Status, byte[] Body)> SendAsync(HttpMethod method, string path, string? json, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token);
        var body = await response.Content.ReadAsByteArrayAsync(cts.Token);
        return ((int)response.StatusCode, body);
    }

    /// <summary>Reads code, message and (optionally) data.id of an envelope; the data is skipped unread when no id is wanted.</summary>
    public static (int Code, string Message, string? Id) ParseEnvelope(byte[] body, bool readId)
    {
        var envelope = ApiEnvelope.TryRead(body, withData: readId);
        if (envelope?.Code is not { } code || code < 0)
        {
            throw new JsonException("answer has no envelope code: " + Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200))));
        }

        var id = envelope.Data.ValueKind == JsonValueKind.Object && envelope.Data.TryGetProperty("id", out var i) ? i.GetString() : null;
        return (code, envelope.Message, id);
    }
}
