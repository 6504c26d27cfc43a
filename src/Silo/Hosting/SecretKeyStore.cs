using System.Security.Cryptography;
using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// The key secret env values are sealed with: <c>--secret_key_file</c>, else <c>&lt;root&gt;/data/secret.key</c>
/// (created on first start, mode 0600). The file holds the 32-byte key as base64. Keep it apart from database
/// backups: with the database alone, no secret value can be read.
/// </summary>
public static class SecretKeyStore
{
    public static string DefaultPath(string root) => Path.Combine(root, "data", "secret.key");

    /// <summary>Reads the key, creating the default file when no file was given and none exists.</summary>
    public static SecretSeal Resolve(string root, string? keyFile)
    {
        var path = keyFile ?? DefaultPath(root);
        if (keyFile is null && !File.Exists(path))
        {
            OwnerOnly.WriteFile(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretSeal.KeyBytes)) + "\n");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new StartupException($"the secret key file {path} (--secret_key_file) does not hold a base64 key; create one with: head -c 32 /dev/urandom | base64");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"the secret key file {path} (--secret_key_file) cannot be read: {ex.Message.TrimEnd('.')}", ex);
        }

        return key.Length == SecretSeal.KeyBytes
            ? new SecretSeal(key)
            : throw new StartupException($"the secret key in {path} (--secret_key_file) has {key.Length} bytes; it must have {SecretSeal.KeyBytes} (head -c 32 /dev/urandom | base64)");
    }
}
