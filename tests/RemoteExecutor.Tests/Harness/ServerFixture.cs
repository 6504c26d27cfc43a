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

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(Args, HostEnv);

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
