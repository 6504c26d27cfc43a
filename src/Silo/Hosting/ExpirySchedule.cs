using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// At start, makes sure this node's expiry reminder exists (<see cref="INodeGrain.ScheduleExpiry"/>): one durable
/// Orleans reminder per node, visible in the dashboard, whose ticks run the expiry sweep. Registering is idempotent,
/// so every start simply registers again (with the period of the current <c>--key_expire</c>).
/// </summary>
public sealed partial class ExpirySchedule : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly IHostApplicationLifetime _lifetime;
    private readonly IGrainFactory _grains;
    private readonly EngineOptions _options;
    private readonly ILogger<ExpirySchedule> _logger;

    public ExpirySchedule(IHostApplicationLifetime lifetime, IGrainFactory grains, EngineOptions options, ILogger<ExpirySchedule> logger)
    {
        _lifetime = lifetime;
        _grains = grains;
        _options = options;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _lifetime.WaitStartedAsync(stoppingToken);

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                RequestContext.Set(RemoteExecutor.Grains.Placement.NodePlacement.ContextKey, _options.Node);
                await _grains.GetGrain<INodeGrain>(_options.Node).ScheduleExpiry();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogScheduleFailed(_logger, ex);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The expiry reminder could not be registered; retrying")]
    private static partial void LogScheduleFailed(ILogger logger, Exception ex);
}
