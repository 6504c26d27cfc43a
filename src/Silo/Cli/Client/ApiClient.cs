using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>
/// The HTTP API as the CLI uses it: bearer token, envelope read, errors turned into <see cref="ClientException"/>
/// (the envelope's message; for an unreachable server a one-line hint naming the URL).
/// </summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(ClientConnection connection)
    {
        BaseAddress = connection.BaseAddress;
        _http = new HttpClient { BaseAddress = connection.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        if (connection.Token is { } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public Uri BaseAddress { get; }

    public static string Escape(string segment) => Uri.EscapeDataString(segment);

    public Task<ApiReply> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<ApiReply> SendJsonAsync(HttpMethod method, string path, string json, CancellationToken ct) =>
        SendAsync(method, path, new StringContent(json, Encoding.UTF8, "application/json"), ct);

    public async Task<ApiReply> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused" : ex.Message;
            throw new ClientException(
                $"cannot reach the server at {BaseAddress}: {reason}; is it running? point --url (or REMOTE_EXECUTOR_URL) at it", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new ClientException($"the server at {BaseAddress} did not answer in time", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var envelope = ApiEnvelope.TryRead(text)
                ?? throw new ClientException($"HTTP {(int)response.StatusCode} from {BaseAddress}: not an API answer (is --url the RemoteExecutor server?)");
            var code = envelope.Code ?? 0;
            var message = envelope.Message;
            if (!response.IsSuccessStatusCode)
            {
                var hint = (int)response.StatusCode == 401
                    ? " (give the token with --token, REMOTE_EXECUTOR_TOKEN or --token_file; on the server's machine it is read from <root>/data/token)"
                    : "";
                throw new ClientException($"{message}{hint} (HTTP {(int)response.StatusCode}, code {code})");
            }

            var state = response.Headers.TryGetValues("X-Task-STATE", out var values) ? values.FirstOrDefault() : null;
            return new ApiReply(code, message, envelope.Data, state) { Runs = envelope.Runs };
        }
    }

    public void Dispose() => _http.Dispose();
}
