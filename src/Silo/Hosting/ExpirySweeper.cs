using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// Deletes the records of this node's tasks that finished more than <c>--key_expire</c> ago: state, steps,
/// console, summary and workspace. Driven by the durable <c>task_summary</c> table, so expiry survives restarts
/// without one reminder per task (20 000 retained tasks would otherwise mean 20 000 reminder timers).
/// </summary>
public sealed partial class ExpirySweeper : BackgroundService
{
    private const int Batch = 500;

    private readonly IGrainFactory _grains;
    private readonly ReadModelReader _reader;
    private readonly Database _database;
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ExpirySweeper> _logger;

    public ExpirySweeper(IGrainFactory grains, ReadModelReader reader, Database database, EngineOptions options, TimeProvider clock, ILogger<ExpirySweeper> logger)
    {
        _grains = grains;
        _reader = reader;
        _database = database;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>How often to look: a tenth of the expiry, between 1 s and 30 s.</summary>
    public static TimeSpan Interval(TimeSpan keyExpire) =>
        TimeSpan.FromTicks(Math.Clamp(keyExpire.Ticks / 10, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval(_options.KeyExpire), _clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var attempted = new HashSet<string>(StringComparer.Ordinal);
                IReadOnlyList<string> ids;
                do
                {
                    ids = await _reader.ExpiredTasksAsync(_options.Node, _clock.GetUtcNow() - _options.KeyExpire, Batch);
                    foreach (var id in ids.Where(attempted.Add))
                    {
                        await _grains.GetTask(id).Expire();
                    }
                }
                while (ids.Count == Batch && !ids.All(attempted.Contains) && !stoppingToken.IsCancellationRequested);

                if (attempted.Count > 0)
                {
                    await _database.TruncateWalAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(_logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiry sweep failed; retrying at the next tick")]
    private static partial void LogSweepFailed(ILogger logger, Exception ex);
}
