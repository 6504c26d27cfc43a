namespace RemoteExecutor.Api.Security;

/// <summary>
/// Endpoint metadata: the route reads a file body (<c>application/octet-stream</c> or <c>multipart/form-data</c>), so
/// the request guard lets those through to it (and to no other route).
/// </summary>
public sealed class UploadBodyMetadata
{
    public static readonly UploadBodyMetadata Instance = new();

    private UploadBodyMetadata()
    {
    }
}
