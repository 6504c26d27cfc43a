using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>Looks at the SQLite file every few seconds and logs, once, when it was deleted or replaced.</summary>
public sealed partial class DatabaseWatcher : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly DatabaseFileGuard _guard;
    private readonly TimeProvider _clock;
    private readonly ILogger<DatabaseWatcher> _logger;

    public DatabaseWatcher(DatabaseFileGuard guard, TimeProvider clock, ILogger<DatabaseWatcher> logger)
    {
        _guard = guard;
        _clock = clock;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (_guard.Problem() is { } problem)
            {
                LogLost(_logger, problem);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Storage lost: {Problem}. Health answers 503 and submits are refused")]
    private static partial void LogLost(ILogger logger, string problem);
}
