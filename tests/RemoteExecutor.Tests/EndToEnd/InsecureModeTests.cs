using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>An insecure server started as the old tool was: <c>--addr</c> without a host.</summary>
public sealed class InsecureServerFixture : ServerFixture
{
    public const string AllowedOrigin = "https://ops.example.com";
    public const string AllowedHost = "executor.test";

    protected override string[] Args => ["--insecure", "--addr=:{port}", $"--allowed_origins={AllowedOrigin}", $"--allowed_hosts={AllowedHost}"];
}

/// <summary>
/// <c>--insecure</c> without CSRF or DNS rebinding: a web page the operator visits must not reach the server. It binds
/// loopback only, answers only its own Host names, refuses foreign origins and non-JSON bodies.
/// </summary>
public sealed class InsecureModeTests : IClassFixture<InsecureServerFixture>
{
    private readonly ServerProcess _server;

    public InsecureModeTests(InsecureServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=b")]
    [InlineData(null)]
    public async Task Submit_BodyNotJson_Answers415AndRunsNothing(string? contentType)
    {
        var id = Ids.New("csrf");
        var body = Steps.Array(Steps.Of($"touch /tmp/{id}")).ToJsonString();
        var answer = await Api.SendAsync(HttpMethod.Post, $"/?id={id}", body, configure: r =>
            r.Content!.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Contains("Content-Type: application/json", answer.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DetailAsync(id)).Status);
        Assert.False(File.Exists($"/tmp/{id}"));
    }

    [Fact]
    public async Task StateChanges_WithJsonOrWithoutBody_StillWork()
    {
        var id = Ids.New("plainkill");
        await Api.SubmitOkAsync(id, Steps.Array(Steps.Of("sleep 30", name: "slow")));
        await Api.WaitForStepRunningAsync(id, "slow");
        var kill = await Api.SendAsync(HttpMethod.Put, $"/api/v1/task/{id}?action=kill");
        Assert.True(kill.Status == HttpStatusCode.OK, $"kill with query parameters only: {kill}");
        Assert.Equal("Killed", (await Api.WaitForFinalAsync(id)).Header("X-Task-STATE"));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("null")]
    [InlineData("http://localhost:1")]
    public async Task ForeignOrigin_Answers403AndRunsNothing(string origin)
    {
        var id = Ids.New("origin");
        var body = Steps.Array(Steps.Of($"touch /tmp/{id}")).ToJsonString();
        var answer = await Api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={id}", body, configure: r => r.Headers.Add("Origin", origin));
        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.False(File.Exists($"/tmp/{id}"));

        var allowed = await Api.SendAsync(HttpMethod.Get, "/api/v1/task", configure: r => r.Headers.Add("Origin", InsecureServerFixture.AllowedOrigin));
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
    }

    [Theory]
    [InlineData("evil.example:{port}")]
    [InlineData("evil.example")]
    [InlineData("127.0.0.1.nip.io:{port}")]
    [InlineData("localhost:1")]
    public async Task ForeignHost_IsRefusedWithEnvelope(string host)
    {
        var value = host.Replace("{port}", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var answer = await Api.SendAsync(HttpMethod.Get, "/api/v1/task", configure: r => r.Headers.Host = value);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, answer.Status);
        Assert.Contains("--allowed_hosts", answer.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:{port}")]
    [InlineData("127.0.0.1:{port}")]
    [InlineData("[::1]:{port}")]
    [InlineData("executor.test:{port}")]
    [InlineData("EXECUTOR.TEST")]
    public async Task OwnOrAllowedHost_IsAnswered(string host)
    {
        var value = host.Replace("{port}", _server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var answer = await Api.SendAsync(HttpMethod.Get, "/api/v1/task", configure: r => r.Headers.Host = value);
        Assert.True(answer.Status == HttpStatusCode.OK, $"Host {value}: {answer}");
    }

    [Fact]
    public async Task AddrWithoutHost_ListensOnLoopbackOnly()
    {
        Assert.Contains($"ready: http://localhost:{_server.Port}/", _server.ReadLog(), StringComparison.Ordinal);

        // Another address of this machine, if it has one, must not accept connections.
        var outside = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (outside is not null)
        {
            using var client = new TcpClient();
            var error = await Record.ExceptionAsync(() => client.ConnectAsync(outside, _server.Port));
            Assert.True(error is SocketException, $"{outside}:{_server.Port} accepted a connection");
        }
    }
}
