namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// Node labels (<c>--label key=value</c>): what a fan-out selects nodes by. Keys are 1-63 characters of letters,
/// digits, <c>. _ - /</c> starting with a letter or digit; values are 0-63 characters of letters, digits, <c>. _ -</c>.
/// </summary>
public static class NodeLabels
{
    public const int MaxLength = 63;

    /// <summary>The silo metadata key a label is published under (other metadata keys are Orleans' own).</summary>
    public const string MetadataPrefix = "re.label.";

    /// <summary>Published by every node, so a node whose metadata has not been fetched yet is told apart from one without labels.</summary>
    public const string MetadataMarker = "re.node";

    /// <summary>Parses one <c>key=value</c>; the error names what is wrong.</summary>
    public static bool TryParse(string text, out KeyValuePair<string, string> label, out string error)
    {
        label = default;
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            error = $"invalid label \"{text}\": expected key=value, e.g. role=web";
            return false;
        }

        var key = text[..eq].Trim();
        var value = text[(eq + 1)..].Trim();
        if (!IsKey(key))
        {
            error = $"invalid label key \"{key}\": 1-{MaxLength} letters, digits, '.', '_', '-' or '/', starting with a letter or digit";
            return false;
        }

        if (!IsValue(value))
        {
            error = $"invalid label value \"{value}\" of \"{key}\": up to {MaxLength} letters, digits, '.', '_' or '-'";
            return false;
        }

        label = new(key, value);
        error = "";
        return true;
    }

    /// <summary>The labels of <paramref name="items"/> (later items win over earlier ones with the same key).</summary>
    public static bool TryParseAll(IEnumerable<string> items, out IReadOnlyDictionary<string, string> labels, out string error)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!TryParse(item, out var label, out error))
            {
                labels = result;
                return false;
            }

            result[label.Key] = label.Value;
        }

        labels = result;
        error = "";
        return true;
    }

    public static bool IsKey(string key) =>
        key.Length is > 0 and <= MaxLength && char.IsAsciiLetterOrDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/');

    public static bool IsValue(string value) =>
        value.Length <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>Whether a node with <paramref name="labels"/> has every label of <paramref name="selector"/>.</summary>
    public static bool Matches(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> selector) =>
        selector.All(s => labels.TryGetValue(s.Key, out var v) && string.Equals(v, s.Value, StringComparison.Ordinal));

    /// <summary>The silo metadata a node publishes for <paramref name="labels"/>.</summary>
    public static Dictionary<string, string> ToMetadata(string node, IReadOnlyDictionary<string, string> labels)
    {
        var metadata = labels.ToDictionary(l => MetadataPrefix + l.Key, l => l.Value, StringComparer.Ordinal);
        metadata[MetadataMarker] = node;
        return metadata;
    }

    /// <summary>The labels in a node's silo metadata; null when the metadata is not known (yet).</summary>
    public static IReadOnlyDictionary<string, string>? FromMetadata(IReadOnlyDictionary<string, string> metadata) =>
        metadata.ContainsKey(MetadataMarker)
            ? new SortedDictionary<string, string>(
                metadata.Where(m => m.Key.StartsWith(MetadataPrefix, StringComparison.Ordinal)).ToDictionary(m => m.Key[MetadataPrefix.Length..], m => m.Value, StringComparer.Ordinal),
                StringComparer.Ordinal)
            : null;
}
