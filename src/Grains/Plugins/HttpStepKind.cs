using System.Text;
using System.Text.Json;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// The built-in <c>http</c> kind: one HTTP request. <c>with</c>: <c>method</c> (GET), <c>url</c> (or the URL as
/// <c>command_content</c>), <c>headers</c> (object), <c>body</c> (text, or JSON sent as application/json),
/// <c>expected_status</c> (list; default any 2xx), <c>timeout</c> (Go duration, for the request alone). The console
/// gets the status line, the response headers, an empty line and the body's lines; an unexpected status, a failed
/// connection or a request timeout end the step with code 1.
/// </summary>
public sealed class HttpStepKind : IStepKind
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public string Name => "http";

    public string? Validate(StepDefinition step) => Read(step).Error;

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        var (request, error) = Read(context.Step);
        if (request is null)
        {
            return new StepResult(2, error!);
        }

        using var message = request.ToMessage();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (request.Timeout is { } timeout)
        {
            limit.CancelAfter(timeout);
        }

        try
        {
            using var response = await Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            var status = (int)response.StatusCode;
            await context.Console.WriteLineAsync($"HTTP/{response.Version} {status} {response.ReasonPhrase}".TrimEnd());
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                await context.Console.WriteLineAsync($"{name}: {string.Join(", ", values)}");
            }

            await context.Console.WriteLineAsync("");
            await using var body = await response.Content.ReadAsStreamAsync(limit.Token);
            using var reader = new StreamReader(body, Encoding.UTF8);
            while (await reader.ReadLineAsync(limit.Token) is { } line)
            {
                await context.Console.WriteLineAsync(line);
            }

            return request.Expects(status)
                ? StepResult.Success
                : await FailAsync(context, $"unexpected HTTP status {status} (expected {request.ExpectedText})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return await FailAsync(context, $"the request timed out after {GoDuration.Format(request.Timeout!.Value)}");
        }
        catch (HttpRequestException ex)
        {
            return await FailAsync(context, $"the request failed: {ex.Message}");
        }
        catch (IOException ex)
        {
            return await FailAsync(context, $"reading the response failed: {ex.Message}");
        }
    }

    private static async Task<StepResult> FailAsync(StepContext context, string message)
    {
        await context.Console.WriteLineAsync($"[http: {message}]");
        return new StepResult(1, message);
    }

    private static (HttpStepRequest? Request, string? Error) Read(StepDefinition step)
    {
        var url = step.Text("url") ?? step.CommandContent.Trim();
        if (url.Length == 0)
        {
            return (null, "http: give the URL in with.url or as command_content");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, $"http: \"{url}\" is not an absolute http or https URL");
        }

        var method = (step.Text("method") ?? "GET").Trim().ToUpperInvariant();
        if (method.Length == 0 || !method.All(char.IsAsciiLetter))
        {
            return (null, $"http: with.method \"{method}\" is not an HTTP method");
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (step.Setting("headers") is { } h)
        {
            if (h.ValueKind != JsonValueKind.Object)
            {
                return (null, "http: with.headers must be an object of header names and values");
            }

            foreach (var header in h.EnumerateObject())
            {
                if (header.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array || header.Name.Length == 0
                    || header.Name.Any(c => c <= ' ' || c == ':' || c >= 127))
                {
                    return (null, $"http: with.headers.{header.Name}: a header needs a plain name and a text value");
                }

                headers.Add(new(header.Name, header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText()));
            }
        }

        var body = step.Setting("body");
        var expected = new List<int>();
        if (step.Setting("expected_status") is { } e)
        {
            var items = e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : [e];
            foreach (var item in items)
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var code) || code is < 100 or > 599)
                {
                    return (null, $"http: with.expected_status: {item.GetRawText()} is not an HTTP status (100-599)");
                }

                expected.Add(code);
            }
        }

        TimeSpan? timeout = null;
        if (step.Text("timeout") is { } t)
        {
            if (!GoDuration.TryParse(t, out var parsed, out var error) || parsed <= TimeSpan.Zero)
            {
                return (null, $"http: with.timeout: {(error.Length > 0 ? error : "must be positive")}");
            }

            timeout = parsed;
        }

        return (new HttpStepRequest(new HttpMethod(method), uri, headers, body, expected, timeout), null);
    }
}
