using RemoteExecutor.Silo.Hosting;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>Where the client commands send requests and with which token.</summary>
/// <param name="BaseAddress">The server, e.g. <c>http://localhost:2376</c>.</param>
/// <param name="Token">The API token; null = send none (an <c>--insecure</c> server).</param>
public sealed record ClientConnection(Uri BaseAddress, string? Token)
{
    /// <summary>Used when neither <c>--url</c> nor <c>REMOTE_EXECUTOR_URL</c> says otherwise.</summary>
    public const string DefaultUrl = "http://localhost:2376";

    /// <summary>
    /// The server from <paramref name="url"/> (the flag or <c>REMOTE_EXECUTOR_URL</c>); the token from, in order:
    /// <paramref name="token"/> (the flag or <c>REMOTE_EXECUTOR_TOKEN</c>), <paramref name="tokenFile"/>, the server's own
    /// <c>&lt;root&gt;/data/token</c> when this user can read it.
    /// </summary>
    public static (ClientConnection? Connection, string? Error) Resolve(string? url, string? token, string? tokenFile, string root)
    {
        var text = string.IsNullOrWhiteSpace(url) ? DefaultUrl : url.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "http://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            return (null, $"--url: expected http://host:port or https://host:port, got \"{url}\"");
        }

        if (!string.IsNullOrEmpty(token))
        {
            return (new ClientConnection(address, token), null);
        }

        if (tokenFile is not null)
        {
            return SecretFile.TryRead("--token_file", tokenFile, out var secret, out var error)
                ? (new ClientConnection(address, secret), null)
                : (null, error);
        }

        var local = TokenStore.TokenPath(Path.GetFullPath(root));
        return (new ClientConnection(address, File.Exists(local) && SecretFile.TryRead("--root", local, out var found, out _) ? found : null), null);
    }
}
