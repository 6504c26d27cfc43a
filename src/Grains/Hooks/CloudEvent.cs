using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RemoteExecutor.Grains.Hooks;

/// <summary>The CloudEvents 1.0 (structured JSON) body of a webhook POST, and its signature.</summary>
public static class CloudEvent
{
    public const string ContentType = "application/cloudevents+json";

    public const string SignatureHeader = "X-RemoteExecutor-Signature";

    /// <summary>The body for event number <paramref name="id"/>: the same bytes on every retry, so receivers can drop duplicates by id.</summary>
    public static byte[] Body(long id, TaskEvent e)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("source", $"/remote-executor/{Uri.EscapeDataString(e.Node)}/task/{Uri.EscapeDataString(e.Task)}");
            json.WriteString("type", e.Type);
            if (e.Step.Length > 0)
            {
                json.WriteString("subject", e.Step);
            }

            json.WriteString("time", e.Time);
            json.WriteString("datacontenttype", "application/json");
            json.WritePropertyName("data");
            JsonSerializer.Serialize(json, e);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary><c>sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>; null for an empty secret (unsigned).</summary>
    public static string? Signature(string secret, byte[] body) =>
        secret.Length == 0 ? null : "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
