namespace RemoteExecutor.Grains.Interfaces;

/// <summary>What a webhook URL may be: absolute, http or https, with a host.</summary>
public static class HookUrl
{
    public static bool IsValid(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0;
}
