using Microsoft.Extensions.Logging;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Tasks;

/// <summary>
/// Deletes the records of a node's tasks that finished more than <c>--key_expire</c> ago: state, steps, console,
/// summary and workspace. One query over the durable <c>task_summary</c> table per tick, so expiry needs no
/// reminder per task; the tick is the node grain's <see cref="StorageNames.ExpiryReminder"/> reminder. A sweep of a
/// node still running when its next tick comes is not started twice. Each sweep also deletes audit rows older than
/// <c>--audit_expire</c>, at most <see cref="AuditBatch"/> of them per tick (one bounded statement).
/// </summary>
public sealed partial class ExpirySweep
{
    private const int Batch = 500;

    /// <summary>Audit rows deleted per tick at most: 10 000 every 30 s outpaces any audit rate the API can serve.</summary>
    public const int AuditBatch = 10_000;

    private readonly IGrainFactory _grains;
    private readonly ReadModelReader _reader;
    private readonly Database _database;
    private readonly StorageIo _io;
    private readonly EngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ReadModelWriter _writer;
    private readonly ILogger<ExpirySweep> _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);

    public ExpirySweep(IGrainFactory grains, ReadModelReader reader, ReadModelWriter writer, Database database, StorageIo io, EngineOptions options, TimeProvider clock, ILogger<ExpirySweep> logger)
    {
        _writer = writer;
        _database = database;
        _io = io;
        _grains = grains;
        _reader = reader;
        _options = options;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>How often to look: a tenth of the expiry, between 1 s and 30 s.</summary>
    public static TimeSpan Interval(TimeSpan keyExpire) =>
        TimeSpan.FromTicks(Math.Clamp(keyExpire.Ticks / 10, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));

    /// <summary>
    /// Starts a sweep of <paramref name="node"/>'s tasks in the background unless one of that node is running (a
    /// surviving node also ticks for a node that left: the two sweeps must not skip each other).
    /// </summary>
    public void Trigger(string node)
    {
        if (_running.TryAdd(node, true))
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await SweepAsync(node);
                    await ExpireAuditAsync();
                }
                finally
                {
                    _running.TryRemove(node, out _);
                }
            });
        }
    }

    private async Task ExpireAuditAsync()
    {
        try
        {
            await _writer.DeleteAuditAsync(_clock.GetUtcNow() - _options.AuditExpire, AuditBatch);
        }
        catch (Exception ex)
        {
            LogAuditExpiryFailed(_logger, ex);
        }
    }

    private async Task SweepAsync(string node)
    {
        try
        {
            var attempted = new HashSet<string>(StringComparer.Ordinal);
            IReadOnlyList<string> ids;
            do
            {
                ids = await _reader.ExpiredTasksAsync(node, _clock.GetUtcNow() - _options.KeyExpire, Batch);
                foreach (var id in ids.Where(attempted.Add))
                {
                    await _grains.GetTask(id).Expire();
                }
            }
            while (ids.Count == Batch && !ids.All(attempted.Contains));

            if (attempted.Count > 0)
            {
                // Freed pages of the expired tasks (secure_delete) must not survive in the WAL either.
                await _io.WriteAsync(() => _database.TruncateWalAsync());
            }
        }
        catch (Exception ex)
        {
            LogSweepFailed(_logger, ex, node);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit retention failed; retrying at the next tick")]
    private static partial void LogAuditExpiryFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiry sweep of node {Node} failed; retrying at the next tick")]
    private static partial void LogSweepFailed(ILogger logger, Exception ex, string node);
}
