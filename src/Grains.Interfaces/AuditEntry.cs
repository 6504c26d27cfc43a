namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One audited action: who, from where, what, on which task/step/node, and how it ended.</summary>
[GenerateSerializer, Immutable, Alias("re.AuditEntry")]
public sealed record AuditEntry
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public DateTimeOffset At { get; init; }
    [Id(2)] public required string Actor { get; init; }
    [Id(3)] public required string Client { get; init; }
    [Id(4)] public required string Action { get; init; }
    [Id(5)] public string? Task { get; init; }
    [Id(6)] public string? Step { get; init; }
    [Id(7)] public string? Node { get; init; }
    [Id(8)] public required string Outcome { get; init; }
}
