using System.Globalization;

namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// Where a fan-out task runs (the submit field <c>targets</c>): named nodes, every live node with all the given labels,
/// or every live node; at most <see cref="MaxParallel"/> nodes at once; past <see cref="MaxErrors"/> failed nodes the
/// nodes not started yet are skipped.
/// </summary>
[GenerateSerializer, Immutable, Alias("re.FanOutTargets")]
public sealed record FanOutTargets
{
    [Id(0)] public IReadOnlyList<string> Nodes { get; init; } = [];
    [Id(1)] public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    [Id(2)] public bool All { get; init; }
    /// <summary>Nodes that run at once; null = all of them.</summary>
    [Id(3)] public int? MaxParallel { get; init; }
    /// <summary>Failed nodes tolerated (a count, or a percentage of the nodes when <see cref="MaxErrorsPercent"/>); null = no limit.</summary>
    [Id(4)] public int? MaxErrors { get; init; }
    [Id(5)] public bool MaxErrorsPercent { get; init; }

    /// <summary>How many of <paramref name="total"/> nodes may fail before the rest are skipped; null = any number.</summary>
    public int? AllowedErrors(int total) => MaxErrors is not { } max ? null : MaxErrorsPercent ? total * max / 100 : max;

    /// <summary>The selector as the API names it, for messages: <c>targets.labels {role=web}</c>.</summary>
    public string SelectorText() =>
        All ? "targets.all"
        : Labels.Count > 0 ? "targets.labels {" + string.Join(", ", Labels.Select(l => $"{l.Key}={l.Value}")) + "}"
        : "targets.nodes [" + string.Join(", ", Nodes) + "]";

    /// <summary><c>2</c> or <c>10%</c>; empty when there is no limit.</summary>
    public string MaxErrorsText() =>
        MaxErrors is not { } max ? "" : max.ToString(CultureInfo.InvariantCulture) + (MaxErrorsPercent ? "%" : "");
}
