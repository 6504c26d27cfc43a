using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains;

/// <summary>Writes and pages the audit log through the read model.</summary>
[StatelessWorker]
public sealed class AuditGrain : Grain, IAuditGrain
{
    private readonly ReadModelWriter _writer;
    private readonly ReadModelReader _reader;

    public AuditGrain(ReadModelWriter writer, ReadModelReader reader)
    {
        _writer = writer;
        _reader = reader;
    }

    public Task Record(AuditEntry entry) => _writer.AppendAuditAsync(AuditText.Clean(entry));

    public Task<AuditPage> List(int page, int size) => _reader.ListAuditAsync(page, size);
}
