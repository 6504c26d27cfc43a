using System.Net;
using System.Net.Sockets;
using System.Text;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Durability;

/// <summary>
/// HTTP/1.1 over a plain socket, for bodies the server refuses before reading them all (413): like curl, it keeps
/// the answer even when the server stops reading and the rest of the upload fails. HttpClient gives up on the
/// broken upload instead.
/// </summary>
public static class RawHttp
{
    public static Task<ApiAnswer> PostAsync(Uri baseAddress, string pathAndQuery, string token, byte[] body, bool chunked) =>
        SendAsync(baseAddress, "POST", pathAndQuery, token, body, chunked, "application/json");

    /// <summary>A GET whose request target goes out byte for byte as given (no client-side normalising of <c>..</c>).</summary>
    public static Task<ApiAnswer> GetAsync(Uri baseAddress, string rawTarget, string? token) =>
        SendAsync(baseAddress, "GET", rawTarget, token, null, false, null);

    /// <param name="token">Bearer token; null sends none.</param>
    /// <param name="body">Null for a request without a body.</param>
    /// <param name="extraHeaders">Further header lines, each ending in CRLF.</param>
    public static async Task<ApiAnswer> SendAsync(
        Uri baseAddress, string method, string pathAndQuery, string? token, byte[]? body, bool chunked, string? contentType, string extraHeaders = "")
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        var stream = client.GetStream();
        var head = new StringBuilder()
            .Append($"{method} {pathAndQuery} HTTP/1.1\r\n")
            .Append($"Host: {baseAddress.Authority}\r\n")
            .Append(token is null ? "" : $"Authorization: Bearer {token}\r\n")
            .Append(contentType is null ? "" : $"Content-Type: {contentType}\r\n")
            .Append(body is null ? "" : chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n")
            .Append(extraHeaders)
            .Append("Connection: close\r\n\r\n");
        body ??= [];
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
            const int Piece = 64 * 1024;
            for (var offset = 0; offset < body.Length; offset += Piece)
            {
                var length = Math.Min(Piece, body.Length - offset);
                if (chunked)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{length:x}\r\n"));
                }

                await stream.WriteAsync(body.AsMemory(offset, length));
                if (chunked)
                {
                    await stream.WriteAsync("\r\n"u8.ToArray());
                }
            }

            if (chunked)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
            }
        }
        catch (IOException)
        {
            // The server stopped reading (it answered already): read what it said.
        }

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // Reset after the answer.
        }

        return Parse(received.ToArray());
    }

    private static ApiAnswer Parse(byte[] raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (split < 0)
        {
            throw new InvalidOperationException($"no HTTP answer, got {raw.Length} bytes: {ApiAnswer.Shorten(text)}");
        }

        var lines = text[..split].Split("\r\n");
        var status = (HttpStatusCode)int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var body = text[(split + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var sb = new StringBuilder();
            var rest = body;
            while (true)
            {
                var eol = rest.IndexOf("\r\n", StringComparison.Ordinal);
                if (eol < 0)
                {
                    break;
                }

                var size = Convert.ToInt32(rest[..eol].Split(';')[0].Trim(), 16);
                if (size == 0)
                {
                    break;
                }

                sb.Append(rest.AsSpan(eol + 2, size));
                rest = rest[(eol + 2 + size + 2)..];
            }

            body = sb.ToString();
        }

        var contentType = headers.TryGetValue("Content-Type", out var ct) ? ct.Split(';')[0].Trim() : null;
        return new ApiAnswer(status, headers, contentType, body);
    }
}
