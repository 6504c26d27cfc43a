namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Writes the audit log (table <c>audit</c>; read through <see cref="IReadModel"/>). Stateless: one per silo.</summary>
[Alias("re.IAuditGrain")]
public interface IAuditGrain : IGrainWithIntegerKey
{
    [Alias("Record")]
    Task Record(AuditEntry entry);
}
