using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;

namespace RemoteExecutor.Api.WebUi;

/// <summary>
/// The web UI's files, embedded in this assembly under <c>ui/</c> (see Api.csproj) and read once: each with its media
/// type and an ETag, so the silo serves them from memory with no folder on disk and no build step beyond the compiler.
/// </summary>
public sealed class WebUiAssets
{
    /// <summary>Prefix of the manifest resource names of the UI files.</summary>
    public const string ResourcePrefix = "ui/";

    private static readonly Lazy<WebUiAssets> Embedded = new(() => Load(typeof(WebUiAssets).Assembly));

    private readonly FrozenDictionary<string, Asset> _files;

    private WebUiAssets(FrozenDictionary<string, Asset> files) => _files = files;

    /// <summary>The files embedded in the API assembly.</summary>
    public static WebUiAssets Instance => Embedded.Value;

    /// <summary>Relative paths of every file (<c>index.html</c>, <c>js/app.js</c> ...).</summary>
    public IEnumerable<string> Paths => _files.Keys;

    /// <summary>The file at <paramref name="path"/> (relative to <c>/ui/</c>), or null.</summary>
    public Asset? Find(string path) => _files.GetValueOrDefault(path);

    /// <summary>Reads every <c>ui/</c> resource of <paramref name="assembly"/>.</summary>
    public static WebUiAssets Load(Assembly assembly)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".js"] = "text/javascript";
        types.Mappings[".svg"] = "image/svg+xml";
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            // Resource names carry the folder separator of the machine that built them.
            var path = name.Replace('\\', '/');
            if (!path.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            path = path[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var type = types.TryGetContentType(path, out var known) ? known : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type is "image/svg+xml" or "application/json")
            {
                type += "; charset=utf-8";
            }

            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
            files[path] = new Asset(path, bytes, type, etag);
        }

        return new WebUiAssets(files.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>One file: its bytes, media type and entity tag.</summary>
    public sealed record Asset(string Path, byte[] Content, string ContentType, string ETag);
}
