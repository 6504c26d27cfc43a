using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// The one retry policy of storage writes that must land (Polly): a short in-call pipeline for a grain turn, and a
/// background pipeline that keeps trying until the write lands, for what must not hold a grain call open.
/// </summary>
public sealed partial class StorageRetry
{
    private readonly ResiliencePipeline _inCall;
    private readonly ResiliencePipeline _untilItLands;
    private readonly ILogger<StorageRetry> _logger;

    public StorageRetry(TimeProvider clock, ILogger<StorageRetry> logger)
    {
        _logger = logger;
        _inCall = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
        _untilItLands = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(30),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    LogStillFailing(_logger, args.Outcome.Exception, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>A few quick attempts inside the current call; throws the last failure.</summary>
    public ValueTask InCallAsync(Func<CancellationToken, ValueTask> write) => _inCall.ExecuteAsync(write);

    /// <summary>Keeps trying in the background until <paramref name="write"/> succeeds (or the process ends).</summary>
    public void UntilItLands(Func<CancellationToken, ValueTask> write) =>
        _ = Task.Run(async () => await _untilItLands.ExecuteAsync(write));

    [LoggerMessage(Level = LogLevel.Warning, Message = "A storage write that must land failed (attempt {Attempt}); retrying")]
    private static partial void LogStillFailing(ILogger logger, Exception? ex, int attempt);
}
