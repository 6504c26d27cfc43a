using RemoteExecutor.Api;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Silo.Cli;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// Runs first when the host stops (SIGTERM, Ctrl-C), while the API and the silo still work. With
/// <c>--normal</c> submits are refused (503) and the stop waits until every running and queued task of this
/// node has finished; without it, every step is killed (-255, "server shutting down") and recorded.
/// </summary>
public sealed partial class ShutdownCoordinator : IHostedLifecycleService
{
    private static readonly TimeSpan KillReportTimeout = TimeSpan.FromSeconds(20);

    private readonly SiloSettings _settings;
    private readonly ApiOptions _api;
    private readonly ProcessSupervisor _supervisor;
    private readonly NodeActivity _activity;
    private readonly ILogger<ShutdownCoordinator> _logger;

    public ShutdownCoordinator(SiloSettings settings, ApiOptions api, ProcessSupervisor supervisor, NodeActivity activity, ILogger<ShutdownCoordinator> logger)
    {
        _settings = settings;
        _api = api;
        _supervisor = supervisor;
        _activity = activity;
        _logger = logger;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _api.Draining = true;
        if (_settings.Normal)
        {
            LogDraining(_logger, _activity.Active);
            await _activity.WaitIdleAsync(cancellationToken);
            await _supervisor.WaitIdleAsync(cancellationToken);
            LogDrained(_logger);
            return;
        }

        if (_activity.Count > 0)
        {
            LogKilling(_logger, _activity.Count);
        }

        _supervisor.KillAll("killed: the server is shutting down");
        using var cap = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cap.CancelAfter(KillReportTimeout);
        await _supervisor.WaitIdleAsync(cap.Token);
        await _activity.WaitIdleAsync(cap.Token);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping with --normal: refusing submits, waiting for {Count} running tasks (paused or delayed ones go on after the restart)")]
    private static partial void LogDraining(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "All tasks finished; stopping")]
    private static partial void LogDrained(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: killing the steps of {Count} unfinished tasks (use --normal to wait for them)")]
    private static partial void LogKilling(ILogger logger, int count);
}
