using System.Data.Common;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Hooks;

/// <summary>
/// Delivers the webhook outbox (<c>hook_delivery</c>) of this node's tasks (and, on one survivor, of nodes gone from
/// the cluster: <see cref="HookOwnership"/>): each event as a CloudEvents POST, in event
/// order per task and hook (a hook that fails holds back that task's later events), a few quick retries per round
/// (Polly), then rounds with exponential backoff until <c>--webhook_retry</c>. The outbox is durable: a restart resumes.
/// </summary>
public sealed partial class HookDispatcher : BackgroundService
{
    private const int Batch = 200;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private readonly Database _database;
    private readonly StorageIo _io;
    private readonly EngineOptions _options;
    private readonly SecretSeal _seal;
    private readonly TimeProvider _clock;
    private readonly ILogger<HookDispatcher> _logger;
    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _local;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ResiliencePipeline<HttpResponseMessage> _send;

    public HookDispatcher(Database database, StorageIo io, EngineOptions options, SecretSeal seal, TimeProvider clock, ILogger<HookDispatcher> logger,
        IClusterMembershipService membership, ILocalSiloDetails local)
    {
        _membership = membership;
        _local = local;
        _database = database;
        _io = io;
        _options = options;
        _seal = seal;
        _clock = clock;
        _logger = logger;
        _send = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>().Handle<TimeoutRejectedException>()
                    .HandleResult(r => !r.IsSuccessStatusCode),
            })
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken);
                await Task.Delay(Poll, _clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRoundFailed(_logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), _clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RoundAsync(CancellationToken stoppingToken)
    {
        var due = await ReadDueAsync(stoppingToken);
        if (due.Count == 0)
        {
            return;
        }

        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        // One queue per task and hook, in event order; each queue stops at its first row not yet due or not delivered.
        await Task.WhenAll(due.GroupBy(d => (d.Event.Task, d.Hook)).Select(async queue =>
        {
            foreach (var row in queue)
            {
                if (row.NextAt > now || !await DeliverAsync(row, stoppingToken))
                {
                    return;
                }
            }
        }));
    }

    private async Task<bool> DeliverAsync(Due row, CancellationToken stoppingToken)
    {
        var body = CloudEvent.Body(row.EventId, row.Event);
        var signature = CloudEvent.Signature(row.Secret.Length == 0 ? "" : _seal.OpenValue(row.Secret), body);
        var tries = 0;
        int status = 0;
        string error;
        try
        {
            using var response = await _send.ExecuteAsync(async ct =>
            {
                tries++;
                using var request = new HttpRequestMessage(HttpMethod.Post, row.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEvent.ContentType) { CharSet = "utf-8" };
                if (signature is not null)
                {
                    request.Headers.TryAddWithoutValidation(CloudEvent.SignatureHeader, signature);
                }

                return await _http.SendAsync(request, ct);
            }, stoppingToken);
            status = (int)response.StatusCode;
            error = response.IsSuccessStatusCode ? "" : $"HTTP {status} {response.ReasonPhrase}";
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            error = ex is TimeoutRejectedException ? "timed out after 10s" : ex.Message;
        }

        var attempts = row.Attempts + tries;
        var delivered = error.Length == 0;
        var now = _clock.GetUtcNow();
        var givenUp = !delivered && now - DateTimeOffset.FromUnixTimeMilliseconds(row.Created) >= _options.WebhookRetry;
        var next = now + HookBackoff.After(attempts / 3 + 1);
        if (!delivered)
        {
            LogDeliveryFailed(_logger, row.EventId, row.Url, error, givenUp);
        }

        await UpdateAsync(row, delivered ? 1 : givenUp ? 2 : 0, attempts, status, error, next.ToUnixTimeMilliseconds());
        return delivered;
    }

    private Task<List<Due>> ReadDueAsync(CancellationToken cancellationToken) => _io.ReadAsync(() => ReadDueOnLaneAsync(cancellationToken));

    private async Task<List<Due>> ReadDueOnLaneAsync(CancellationToken cancellationToken)
    {
        var live = HookOwnership.LiveNodesIfHeir(_local.SiloAddress, _options.Node, _membership.CurrentSnapshot.Members.Values) ?? [];
        var parameters = live.Select((name, i) => ("l" + i.ToString(CultureInfo.InvariantCulture), (object)name))
            .Append(("node", _options.Node)).Append(("limit", Batch)).ToArray();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = ReadModelReader.Command(connection, Sql.DueDeliveries(live.Count), parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<Due>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new Due(reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.GetInt64(5), reader.GetInt64(6),
                new TaskEvent(reader.GetString(7), reader.GetString(8), reader.GetString(9), reader.GetInt32(10), reader.GetInt32(11),
                    reader.GetString(12), reader.GetString(13), reader.GetString(14))));
        }

        return list;
    }

    private Task UpdateAsync(Due row, int state, int attempts, int status, string error, long nextAt) =>
        _io.WriteAsync(() => UpdateOnLaneAsync(row, state, attempts, status, error, nextAt));

    private async Task UpdateOnLaneAsync(Due row, int state, int attempts, int status, string error, long nextAt)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var command = ReadModelReader.Command(connection, Sql.UpdateDelivery, ("state", state), ("attempts", attempts), ("status", status),
            ("error", error.Length > 500 ? error[..500] : error), ("next_at", nextAt), ("event_id", row.EventId), ("hook", row.Hook));
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook event {EventId} to {Url} not delivered: {Error} (given up: {GivenUp})")]
    private static partial void LogDeliveryFailed(ILogger logger, long eventId, string url, string error, bool givenUp);

    private sealed record Due(long EventId, int Hook, string Url, string Secret, int Attempts, long NextAt, long Created, TaskEvent Event);
}
