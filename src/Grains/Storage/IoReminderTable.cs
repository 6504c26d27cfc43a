namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// Orleans' ADO.NET reminder table, called on the node's <see cref="StorageIo"/> path: the reminder service's reads
/// and writes block the storage threads, not the thread pool its system target shares with the grains.
/// </summary>
public sealed class IoReminderTable : IReminderTable
{
    private readonly IReminderTable _inner;
    private readonly StorageIo _io;

    public IoReminderTable(IReminderTable inner, StorageIo io)
    {
        _inner = inner;
        _io = io;
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => _io.ReadAsync(() => _inner.StartAsync(cancellationToken));

    public Task StopAsync(CancellationToken cancellationToken = default) => _inner.StopAsync(cancellationToken);

    public Task<ReminderTableData> ReadRows(GrainId grainId) => _io.ReadAsync(() => _inner.ReadRows(grainId));

    public Task<ReminderTableData> ReadRows(GrainId grainId, CancellationToken cancellationToken) =>
        _io.ReadAsync(() => _inner.ReadRows(grainId, cancellationToken));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) => _io.ReadAsync(() => _inner.ReadRows(begin, end));

    public Task<ReminderTableData> ReadRows(uint begin, uint end, CancellationToken cancellationToken) =>
        _io.ReadAsync(() => _inner.ReadRows(begin, end, cancellationToken));

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) => _io.ReadAsync(() => _inner.ReadRow(grainId, reminderName));

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName, CancellationToken cancellationToken) =>
        _io.ReadAsync(() => _inner.ReadRow(grainId, reminderName, cancellationToken));

    public Task<string?> UpsertRow(ReminderEntry entry) => _io.WriteAsync(() => _inner.UpsertRow(entry));

    public Task<string?> UpsertRow(ReminderEntry entry, CancellationToken cancellationToken) =>
        _io.WriteAsync(() => _inner.UpsertRow(entry, cancellationToken));

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag) => _io.WriteAsync(() => _inner.RemoveRow(grainId, reminderName, eTag));

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag, CancellationToken cancellationToken) =>
        _io.WriteAsync(() => _inner.RemoveRow(grainId, reminderName, eTag, cancellationToken));

    public Task TestOnlyClearTable() => _io.WriteAsync(_inner.TestOnlyClearTable);

    public Task TestOnlyClearTable(CancellationToken cancellationToken) => _io.WriteAsync(() => _inner.TestOnlyClearTable(cancellationToken));
}
