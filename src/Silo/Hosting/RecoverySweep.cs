using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// At start, drives every unfinished task of this node on, without waiting for a client to ask: steps whose
/// process died with the previous run become -999, their dependants are skipped, the rest runs.
/// </summary>
public sealed partial class RecoverySweep : BackgroundService
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IGrainFactory _grains;
    private readonly ReadModelReader _reader;
    private readonly EngineOptions _options;
    private readonly ILogger<RecoverySweep> _logger;

    public RecoverySweep(IHostApplicationLifetime lifetime, IGrainFactory grains, ReadModelReader reader, EngineOptions options, ProcessSupervisor supervisor, ILogger<RecoverySweep> logger)
    {
        // The supervisor is taken so that it starts with the host: it kills the step processes a crashed run left behind.
        ArgumentNullException.ThrowIfNull(supervisor);
        _lifetime = lifetime;
        _grains = grains;
        _reader = reader;
        _options = options;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _lifetime.WaitStartedAsync(stoppingToken);

        var ids = await _reader.UnfinishedTasksAsync(_options.Node);
        if (ids.Count == 0)
        {
            return;
        }

        LogSweep(_logger, ids.Count);
        foreach (var id in ids)
        {
            try
            {
                await _grains.GetTask(id).Resume();
            }
            catch (Exception ex)
            {
                LogResumeFailed(_logger, ex, id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} unfinished tasks of this node")]
    private static partial void LogSweep(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} could not be resumed")]
    private static partial void LogResumeFailed(ILogger logger, Exception ex, string taskId);
}
