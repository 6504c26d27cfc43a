using Orleans.Runtime;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>
/// When a silo is declared dead, drives the unfinished tasks of its node to a final state: their running steps
/// become -999 "node lost", their dependants are skipped. One survivor (the lowest address) does the work.
/// </summary>
public sealed partial class NodeLossWatcher : BackgroundService
{
    private const int RetryLimit = 30;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _local;
    private readonly IGrainFactory _grains;
    private readonly ReadModelReader _reader;
    private readonly ILogger<NodeLossWatcher> _logger;

    public NodeLossWatcher(IClusterMembershipService membership, ILocalSiloDetails local, IGrainFactory grains, ReadModelReader reader, ILogger<NodeLossWatcher> logger)
    {
        _membership = membership;
        _local = local;
        _grains = grains;
        _reader = reader;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handled = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var dead in snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead && handled.Add(m.SiloAddress)))
                {
                    var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).ToList();
                    if (active.Count == 0 || !active.MinBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal)!.SiloAddress.Equals(_local.SiloAddress))
                    {
                        continue;
                    }

                    if (active.Any(m => m.Name == dead.Name))
                    {
                        continue; // the node is back under a new silo: it resumes its own tasks at start
                    }

                    _ = Task.Run(() => ResolveAsync(dead.Name), stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ResolveAsync(string node)
    {
        try
        {
            var ids = await _reader.UnfinishedTasksAsync(node);
            LogNodeLost(_logger, node, ids.Count);
            foreach (var id in ids)
            {
                // Right after a death the directory may still point at the dead silo: retry until it has moved on.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await _grains.GetTask(id).Resume();
                        break;
                    }
                    catch (Exception ex) when (attempt < RetryLimit)
                    {
                        LogRetrying(_logger, id, ex.GetType().Name);
                        await Task.Delay(RetryDelay);
                    }
                    catch (Exception ex)
                    {
                        LogResolveFailed(_logger, ex, id);
                        break;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            LogResolveFailed(_logger, ex, node);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} lost: resolving its {Count} unfinished tasks")]
    private static partial void LogNodeLost(ILogger logger, string node, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} of a lost node not reachable yet ({Error}); retrying")]
    private static partial void LogRetrying(ILogger logger, string taskId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not resolve {What} after a node loss")]
    private static partial void LogResolveFailed(ILogger logger, Exception ex, string what);
}
