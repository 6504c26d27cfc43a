using System.Net;
using System.Text.Json;
using RemoteExecutor.Silo.Cli.Client;

namespace RemoteExecutor.Tests.Harness;

/// <summary>One HTTP answer as a user sees it: status, headers, raw body and (when it is JSON) the envelope.</summary>
public sealed class ApiAnswer
{
    public ApiAnswer(HttpStatusCode status, IReadOnlyDictionary<string, string> headers, string? contentType, string body)
    {
        Status = status;
        Headers = headers;
        ContentType = contentType;
        Body = body;
        if (body.Length > 0 && body.TrimStart().StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                Json = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                Json = null;
            }
        }
    }

    public HttpStatusCode Status { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public string? ContentType { get; }

    public string Body { get; }

    /// <summary>The parsed body, when it is a JSON object.</summary>
    public JsonElement? Json { get; }

    private ApiEnvelope Envelope => (Json is null ? null : _envelope ??= ApiEnvelope.TryRead(Body))
        ?? throw new InvalidOperationException($"not a JSON envelope (HTTP {(int)Status}): {Shorten(Body)}");

    private ApiEnvelope? _envelope;

    /// <summary>The envelope's business code.</summary>
    public int Code => Envelope.Code ?? throw new KeyNotFoundException($"the envelope has no code: {Shorten(Body)}");

    public string Message => Envelope.Message;

    public JsonElement Data => Envelope.Data.ValueKind != JsonValueKind.Undefined
        ? Envelope.Data
        : throw new KeyNotFoundException($"the envelope has no data: {Shorten(Body)}");

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>One step of a task detail answer, by name.</summary>
    public JsonElement Step(string name)
    {
        foreach (var step in Data.EnumerateArray())
        {
            if (step.GetProperty("name").GetString() == name)
            {
                return step;
            }
        }

        throw new InvalidOperationException($"step {name} not in the detail: {Shorten(Body)}");
    }

    public override string ToString() => $"HTTP {(int)Status} {Shorten(Body)}";

    public static string Shorten(string s) => s.Length > 3000 ? s[..3000] + "..." : s;
}
