using System.Security.Cryptography;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>The API token: from <c>--token</c>/<c>REMOTE_EXECUTOR_TOKEN</c>, else <c>&lt;root&gt;/data/token</c>, created on first start.</summary>
public static class TokenStore
{
    public static string TokenPath(string root) => Path.Combine(root, "data", "token");

    /// <summary>Returns the token and whether it was newly created.</summary>
    public static (string Token, bool Created) Resolve(string root, string? given)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return (given.Trim(), false);
        }

        var path = TokenPath(root);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return (existing, false);
            }
        }

        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        Write(path, token);
        return (token, true);
    }

    private static void Write(string path, string token)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(token);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        else
        {
            RestrictOnWindows(temp);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static void RestrictOnWindows(string path)
    {
        // Keep the file out of other users' reach: hidden + not inherited by the workspace tree.
        File.SetAttributes(path, FileAttributes.Hidden);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
