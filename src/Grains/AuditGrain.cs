using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains;

/// <summary>Writes the audit log through the read model.</summary>
[StatelessWorker]
public sealed class AuditGrain : Grain, IAuditGrain
{
    private readonly ReadModelWriter _writer;

    public AuditGrain(ReadModelWriter writer) => _writer = writer;

    public Task Record(AuditEntry entry) => _writer.AppendAuditAsync(AuditText.Clean(entry));
}
