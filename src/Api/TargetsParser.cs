using System.Globalization;
using System.Text.Json;
using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Api;

/// <summary>Checks a submit's <c>targets</c> (a fan-out); every error names the field it is about.</summary>
public static class TargetsParser
{
    public static (FanOutTargets? Targets, string? Error) Parse(TargetsDto dto)
    {
        if (dto.Nodes is { Count: 0 })
        {
            return (null, "targets.nodes: name at least one node");
        }

        if (dto.Labels is { Count: 0 })
        {
            return (null, "targets.labels: give at least one label, e.g. {\"role\": \"web\"}");
        }

        if (dto.All == false)
        {
            return (null, "targets.all: true selects every live node; leave it out to select by nodes or labels");
        }

        var selectors = (dto.Nodes is null ? 0 : 1) + (dto.Labels is null ? 0 : 1) + (dto.All is null ? 0 : 1);
        if (selectors != 1)
        {
            return (null, selectors == 0
                ? "targets: name the nodes (targets.nodes), a label selector (targets.labels) or every node (targets.all: true)"
                : "targets: give only one of targets.nodes, targets.labels and targets.all");
        }

        var nodes = new List<string>();
        for (var i = 0; i < (dto.Nodes?.Count ?? 0); i++)
        {
            var name = dto.Nodes![i]?.Trim() ?? "";
            if (name.Length == 0 || name.Length > Names.MaxLength || Names.Sanitize(name) != name)
            {
                return (null, $"targets.nodes[{i}]: \"{Printable(name)}\" is not a node name (letters and digits)");
            }

            nodes.Add(name);
        }

        foreach (var (key, value) in dto.Labels ?? [])
        {
            if (!NodeLabels.IsKey(key))
            {
                return (null, $"targets.labels: invalid label key \"{Printable(key)}\": 1-{NodeLabels.MaxLength} letters, digits, '.', '_', '-' or '/', starting with a letter or digit");
            }

            if (value is null || !NodeLabels.IsValue(value))
            {
                return (null, $"targets.labels.{key}: invalid label value \"{Printable(value ?? "")}\": up to {NodeLabels.MaxLength} letters, digits, '.', '_' or '-'");
            }
        }

        if (dto.MaxParallel is < 1)
        {
            return (null, $"targets.max_parallel: at least 1 node at once, got {dto.MaxParallel}");
        }

        var (maxErrors, percent, error) = ParseMaxErrors(dto.MaxErrors);
        if (error is not null)
        {
            return (null, error);
        }

        return (new FanOutTargets
        {
            Nodes = nodes,
            Labels = new SortedDictionary<string, string>(dto.Labels ?? [], StringComparer.Ordinal),
            All = dto.All == true,
            MaxParallel = dto.MaxParallel,
            MaxErrors = maxErrors,
            MaxErrorsPercent = percent,
        }, null);
    }

    /// <summary><c>2</c>, <c>"2"</c> or <c>"10%"</c>.</summary>
    private static (int? Value, bool Percent, string? Error) ParseMaxErrors(JsonElement? raw)
    {
        const string Expected = "a count of nodes (0 stops at the first failure) or a percentage of the nodes such as \"10%\"";
        if (raw is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return (null, false, null);
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt32(out var count) && count >= 0
                ? (count, false, null)
                : (null, false, $"targets.max_errors: {Expected}, got {Printable(value.GetRawText())}");
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        var percent = text?.EndsWith('%') == true;
        var digits = percent ? text![..^1].Trim() : text;
        if (digits is not null && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (!percent || n <= 100))
        {
            return (n, percent, null);
        }

        return (null, false, $"targets.max_errors: {Expected}, got {Printable(value.GetRawText())}");
    }

    private static string Printable(string s) => new([.. s.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
}
