namespace RemoteExecutor.Api.Security;

/// <summary>
/// Endpoint metadata: the route reads a YAML body as well as JSON, so the request guard lets the
/// <see cref="BodyMediaType.Yaml"/> media types through to it (and to no other route).
/// </summary>
public sealed class YamlBodyMetadata
{
    public static readonly YamlBodyMetadata Instance = new();

    private YamlBodyMetadata()
    {
    }
}
