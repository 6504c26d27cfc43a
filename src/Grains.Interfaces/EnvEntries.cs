namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// Environment entries <c>NAME=value</c>; an entry written <c>SECRET:NAME=value</c> is a secret: the process
/// gets <c>NAME=value</c>, readers see <c>NAME=***</c>, and its value is masked in console output.
/// </summary>
public static class EnvEntries
{
    public const string SecretPrefix = "SECRET:";
    public const string Mask = "***";

    /// <summary>Splits an entry; false when it is not of the form [SECRET:]NAME=value.</summary>
    public static bool TryParse(string? entry, out string name, out string value, out bool secret)
    {
        name = value = "";
        secret = false;
        if (string.IsNullOrEmpty(entry))
        {
            return false;
        }

        var body = entry;
        if (body.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            secret = true;
            body = body[SecretPrefix.Length..];
        }

        var eq = body.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return false;
        }

        name = body[..eq];
        value = body[(eq + 1)..];
        return true;
    }

    /// <summary>The entries as readers may see them: secret values replaced by <see cref="Mask"/>.</summary>
    public static IReadOnlyList<string> Masked(IEnumerable<string> entries) =>
        [.. entries.Select(e => TryParse(e, out var name, out _, out var secret) && secret ? $"{name}={Mask}" : e)];

    /// <summary>The non-empty secret values among <paramref name="entries"/>.</summary>
    public static IReadOnlyList<string> SecretValues(IEnumerable<string> entries) =>
        [.. entries.Select(e => TryParse(e, out _, out var value, out var secret) && secret ? value : "").Where(v => v.Length > 0).Distinct()];
}
