namespace RemoteExecutor.Grains.Interfaces;

/// <summary>The audit log (table <c>audit</c>). Stateless: one per silo.</summary>
[Alias("re.IAuditGrain")]
public interface IAuditGrain : IGrainWithIntegerKey
{
    [Alias("Record")]
    Task Record(AuditEntry entry);

    /// <summary>Newest first; <paramref name="page"/> is 1-based.</summary>
    [Alias("List")]
    Task<AuditPage> List(int page, int size);
}
