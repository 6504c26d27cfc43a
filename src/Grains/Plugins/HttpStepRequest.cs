using System.Text;
using System.Text.Json;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>An <c>http</c> step's settings, checked.</summary>
internal sealed record HttpStepRequest(
    HttpMethod Method, Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers, JsonElement? Body, IReadOnlyList<int> ExpectedStatus, TimeSpan? Timeout)
{
    public bool Expects(int status) => ExpectedStatus.Count == 0 ? status is >= 200 and < 300 : ExpectedStatus.Contains(status);

    public string ExpectedText => ExpectedStatus.Count == 0 ? "2xx" : string.Join(", ", ExpectedStatus);

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Url);
        if (Body is { } body)
        {
            message.Content = body.ValueKind == JsonValueKind.String
                ? new StringContent(body.GetString()!, Encoding.UTF8, "text/plain")
                : new StringContent(body.GetRawText(), Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                // A content header (Content-Type, ...): the request's own, replacing what the body set.
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.Remove(name);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }
}
