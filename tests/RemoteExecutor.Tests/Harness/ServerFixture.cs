namespace RemoteExecutor.Tests.Harness;

/// <summary>One server shared by the test classes of a collection (a server start costs seconds).</summary>
public abstract class ServerFixture : IAsyncLifetime
{
    /// <summary>Variables the server process (the "host") has; steps must see them unless overridden.</summary>
    public static readonly IReadOnlyDictionary<string, string> HostEnv = new Dictionary<string, string>
    {
        ["RE_TEST_HOST_ONLY"] = "from-host",
        ["RE_TEST_LEVEL_A"] = "host",
        ["RE_TEST_LEVEL_B"] = "host",
    };

    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("the server did not start");

    public TaskApi Api => Server.Api;

    protected virtual string[] Args => [];

    protected virtual IReadOnlyDictionary<string, string> Env => HostEnv;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(Args, Env);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Server for the HTTP-surface tests (envelope, submit, reading).</summary>
public sealed class ApiServerFixture : ServerFixture;

/// <summary>Server for the execution tests (processes, output, control).</summary>
public sealed class ExecServerFixture : ServerFixture;

/// <summary>
/// Server whose grains deactivate after 2 s idle and whose live runs are not kept activated (test-only variables):
/// every call about a long run meets a freshly recovered grain. Debug logging shows the deactivations.
/// </summary>
public sealed class FastCollectionServerFixture : ServerFixture
{
    public static readonly IReadOnlyDictionary<string, string> FastCollectionEnv = new Dictionary<string, string>
    {
        ["REMOTE_EXECUTOR_TEST_COLLECTION_AGE"] = "2s",
        ["REMOTE_EXECUTOR_TEST_NO_KEEPALIVE"] = "1",
    };

    protected override string[] Args => ["--debug"];

    protected override IReadOnlyDictionary<string, string> Env => FastCollectionEnv;
}

[CollectionDefinition(Name)]
public sealed class ApiServerCollection : ICollectionFixture<ApiServerFixture>
{
    public const string Name = "api server";
}

[CollectionDefinition(Name)]
public sealed class ExecServerCollection : ICollectionFixture<ExecServerFixture>
{
    public const string Name = "exec server";
}

/// <summary>An insecure server with a 64 KiB <c>--upload_limit</c>.</summary>
public sealed class SmallUploadServerFixture : ServerFixture
{
    public const int Limit = 64 * 1024;

    protected override string[] Args => ["--insecure", $"--upload_limit={Limit}"];
}
