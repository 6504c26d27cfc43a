using System.Security.Cryptography;
using System.Text;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// Keeps secret env values encrypted wherever they are stored (grain state, step records): a task's
/// <c>SECRET:NAME=value</c> entries are sealed with AES-GCM when the task is accepted and opened only by the
/// executor right before a step's process starts. A copy of the database alone reveals no secret value.
/// </summary>
public sealed class SecretSeal
{
    /// <summary>Marks a sealed value: <c>SECRET:NAME=sealed:v1:&lt;base64 nonce|tag|cipher&gt;</c>.</summary>
    public const string Prefix = "sealed:v1:";

    /// <summary>Key length in bytes (AES-256).</summary>
    public const int KeyBytes = 32;

    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key;

    public SecretSeal(byte[] key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"the secret key must be {KeyBytes} bytes, got {key.Length}", nameof(key));
        }

        _key = [.. key];
    }

    /// <summary>Seals the value of every secret entry (already sealed ones stay as they are).</summary>
    public IReadOnlyList<string> SealEntries(IEnumerable<string> entries) => [.. entries.Select(SealEntry)];

    /// <summary>Opens the value of every sealed secret entry.</summary>
    public IReadOnlyList<string> OpenEntries(IEnumerable<string> entries) => [.. entries.Select(OpenEntry)];

    /// <summary>Opens sealed values (plain ones are returned as they are).</summary>
    public IReadOnlyList<string> OpenValues(IEnumerable<string> values) => [.. values.Select(OpenValue)];

    /// <summary>The request as the process must see it: secret values opened.</summary>
    public ExecutionRequest Open(ExecutionRequest request) =>
        request with { Env = OpenEntries(request.Env), Secrets = OpenValues(request.Secrets) };

    public string SealEntry(string entry)
    {
        if (!EnvEntries.TryParse(entry, out var name, out var value, out var secret) || !secret || IsSealed(value))
        {
            return entry;
        }

        return $"{EnvEntries.SecretPrefix}{name}={SealValue(value)}";
    }

    public string OpenEntry(string entry)
    {
        if (!EnvEntries.TryParse(entry, out var name, out var value, out var secret) || !secret || !IsSealed(value))
        {
            return entry;
        }

        return $"{EnvEntries.SecretPrefix}{name}={OpenValue(value)}";
    }

    public string SealValue(string value)
    {
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes));
        return Prefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>Opens a sealed value; a plain value is returned as is; a value sealed with another key throws.</summary>
    public string OpenValue(string value)
    {
        if (!IsSealed(value))
        {
            return value;
        }

        var sealedBytes = Convert.FromBase64String(value[Prefix.Length..]);
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("a sealed secret is truncated");
        }

        var plain = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), plain);
        return Encoding.UTF8.GetString(plain);
    }

    public static bool IsSealed(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);
}
