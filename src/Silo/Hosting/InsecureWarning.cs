namespace RemoteExecutor.Silo.Hosting;

/// <summary>With <c>--insecure</c>: says so at start and every hour, so nobody forgets.</summary>
public sealed partial class InsecureWarning : BackgroundService
{
    private readonly ILogger<InsecureWarning> _logger;

    public InsecureWarning(ILogger<InsecureWarning> logger) => _logger = logger;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            LogInsecure(_logger);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication is OFF (--insecure): anyone who can reach this port can run commands on this machine")]
    private static partial void LogInsecure(ILogger logger);
}
