using Orleans.Storage;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// The grain storage provider grains use: Orleans' ADO.NET provider, called on the node's <see cref="StorageIo"/> path
/// (reads on the reader threads, writes and clears on the writer thread). The grain awaits the result on its own
/// scheduler as before; only the blocking part moves.
/// </summary>
public sealed class IoGrainStorage : IGrainStorage
{
    private readonly IGrainStorage _inner;
    private readonly StorageIo _io;
    private readonly StorageMetrics _metrics;

    public IoGrainStorage(IGrainStorage inner, StorageIo io, StorageMetrics metrics)
    {
        _inner = inner;
        _io = io;
        _metrics = metrics;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        _io.ReadAsync(() => _inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => _io.WriteStateAsync(() =>
    {
        _metrics.StateWritten();
        return _inner.WriteStateAsync(stateName, grainId, grainState);
    });

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => _io.WriteStateAsync(() =>
    {
        _metrics.StateWritten();
        return _inner.ClearStateAsync(stateName, grainId, grainState);
    });
}
