using System.Text.Json;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>
/// The envelope of a JSON answer as a client reads it: <c>code</c>, <c>message</c>, <c>timestamp</c> and <c>data</c>.
/// The one reader for the CLI, the tests and the benchmark (which links this file). A member that is missing stays
/// null (code, timestamp), empty (message) or undefined (data).
/// </summary>
/// <param name="Code">The business code, when the answer has an integer one.</param>
/// <param name="Message">The message, or empty.</param>
/// <param name="Timestamp">Unix time in nanoseconds, when present.</param>
/// <param name="Data">The payload; <see cref="JsonValueKind.Undefined"/> when absent or not read.</param>
public sealed record ApiEnvelope(int? Code, string Message, long? Timestamp, JsonElement Data)
{
    /// <summary>A fan-out's detail: its runs by node (beside <c>data</c>); undefined for any other answer.</summary>
    public JsonElement Runs { get; init; }

    /// <summary>Reads an envelope; null when the body is not a JSON object. With <paramref name="withData"/> false the data is skipped unread.</summary>
    public static ApiEnvelope? TryRead(ReadOnlySpan<byte> utf8, bool withData = true)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            int? code = null;
            long? timestamp = null;
            var message = "";
            JsonElement data = default;
            JsonElement runs = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var member = reader.ValueTextEquals("code"u8) ? 'c' : reader.ValueTextEquals("message"u8) ? 'm'
                    : reader.ValueTextEquals("timestamp"u8) ? 't' : reader.ValueTextEquals("data"u8) ? 'd' : reader.ValueTextEquals("runs"u8) ? 'r' : ' ';
                reader.Read();
                if (member == 'c' && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var c))
                {
                    code = c;
                }
                else if (member == 'm' && reader.TokenType == JsonTokenType.String)
                {
                    message = reader.GetString() ?? "";
                }
                else if (member == 't' && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var t))
                {
                    timestamp = t;
                }
                else if (member == 'd' && withData)
                {
                    data = JsonElement.ParseValue(ref reader);
                }
                else if (member == 'r' && withData)
                {
                    runs = JsonElement.ParseValue(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }

            return new ApiEnvelope(code, message, timestamp, data) { Runs = runs };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads an envelope from text; null when it is not a JSON object.</summary>
    public static ApiEnvelope? TryRead(string text) => TryRead(System.Text.Encoding.UTF8.GetBytes(text));
}
