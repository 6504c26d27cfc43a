using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>
/// A server started the way the runbook used to recommend, with credentials in <c>REMOTE_EXECUTOR_*</c> variables,
/// and with small output bounds (<c>--max_line=4KiB</c>, <c>--max_output=1MiB</c>) so tests reach them quickly.
/// </summary>
public sealed class SideDoorServerFixture : IAsyncLifetime
{
    public const int MaxLine = 4096;
    public const int MaxOutput = 1 << 20;

    /// <summary>Values of the service's own variables; no step may see them.</summary>
    public static readonly IReadOnlyDictionary<string, string> ServiceEnv = new Dictionary<string, string>
    {
        ["REMOTE_EXECUTOR_TOKEN"] = "env-token-" + Guid.NewGuid().ToString("N"),
        ["REMOTE_EXECUTOR_METRICS_TOKEN"] = "env-metrics-" + Guid.NewGuid().ToString("N"),
        ["RE_TEST_HOST_ONLY"] = "from-host",
    };

    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("the server did not start");

    public async Task InitializeAsync() =>
        _server = await ServerProcess.StartAsync([$"--max_line={MaxLine / 1024}KiB", $"--max_output={MaxOutput}"], ServiceEnv);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
