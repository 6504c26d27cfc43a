namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A page of the audit log, newest first.</summary>
[GenerateSerializer, Immutable, Alias("re.AuditPage")]
public sealed record AuditPage(
    [property: Id(0)] long Total,
    [property: Id(1)] IReadOnlyList<AuditEntry> Entries);
