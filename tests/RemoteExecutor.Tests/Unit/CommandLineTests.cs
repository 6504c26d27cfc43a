using System.Net;
using RemoteExecutor.Silo.Cli;
using Cli = RemoteExecutor.Silo.Cli.CommandLine;

namespace RemoteExecutor.Tests.Unit;

public sealed class CommandLineTests
{
    private sealed class FakeRun
    {
        public SiloSettings? Settings { get; private set; }

        public int Calls { get; private set; }

        public Task<int> Invoke(SiloSettings settings, CancellationToken cancellationToken)
        {
            Settings = settings;
            Calls++;
            return Task.FromResult(0);
        }
    }

    [Theory]
    [InlineData("--pool_size=0")]
    [InlineData("--pool_size=abc")]
    [InlineData("--key_expire=abc")]
    [InlineData("--key_expire=0s")]
    [InlineData("--exec_timeout=-5s")]
    [InlineData("--timeout=5x")]
    [InlineData("--addr=nonsense")]
    [InlineData("--addr=:99999")]
    [InlineData("--max-requests=-1")]
    [InlineData("--silo_port=0")]
    [InlineData("--advertise=not-an-ip")]
    [InlineData("--no_such_flag")]
    [InlineData("--pool_size=1025")]
    [InlineData("--max_pool_size=0")]
    [InlineData("--allowed_origins=evil.example")]
    [InlineData("--allowed_origins=https://ok.example,https://bad.example/path")]
    [InlineData("--allowed_hosts=a b")]
    [InlineData("--allowed_hosts=host:99999")]
    [InlineData("--max_line=100")]
    [InlineData("--max_line=1T")]
    [InlineData("--max_output=lots")]
    [InlineData("--label=role")]
    [InlineData("--label==web")]
    [InlineData("--label=role=web server")]
    [InlineData("--label=-role=web")]
    public async Task InvokeAsync_BadFlagValue_ExitsWithUsageErrorWithoutRunning(string flag)
    {
        var fake = new FakeRun();
        var code = await Cli.InvokeAsync(["run", flag], fake.Invoke);
        Assert.Equal(2, code);
        Assert.Equal(0, fake.Calls);
    }

    [Fact]
    public async Task InvokeAsync_NoCommand_ExitsWithUsageError()
    {
        var fake = new FakeRun();
        Assert.Equal(2, await Cli.InvokeAsync([], fake.Invoke));
        Assert.Equal(0, fake.Calls);
    }

    [Fact]
    public async Task InvokeAsync_OutputBounds_DefaultAndParsed()
    {
        var fake = new FakeRun();
        Assert.Equal(0, await Cli.InvokeAsync(["run"], fake.Invoke));
        Assert.Equal(64 * 1024, fake.Settings!.MaxLine);
        Assert.Equal(1L << 30, fake.Settings.MaxOutput);

        Assert.Equal(0, await Cli.InvokeAsync(["run", "--max_line=4KiB", "--max_output=2G"], fake.Invoke));
        Assert.Equal(4096, fake.Settings!.MaxLine);
        Assert.Equal(2L << 30, fake.Settings.MaxOutput);
    }

    [Fact]
    public async Task InvokeAsync_GoodFlags_RunWithParsedSettings()
    {
        var fake = new FakeRun();
        var root = Path.Combine(Path.GetTempPath(), "re-cli-test");
        var code = await Cli.InvokeAsync(
            ["run", "--addr=127.0.0.1:8080", $"--root={root}", "--key_expire=1h30m", "--exec_timeout=90s", "--timeout=1.5s",
             "--pool_size=7", "--max-requests=100", "--normal", "--debug", "--node=my-node!", "--silo_port=12000", "--gateway_port=31000",
             "--advertise=10.1.2.3"],
            fake.Invoke);

        Assert.Equal(0, code);
        var s = Assert.IsType<SiloSettings>(fake.Settings);
        Assert.Equal(new ListenAddress("127.0.0.1", 8080), s.Addr);
        Assert.Equal(root, s.Root);
        Assert.Equal(TimeSpan.FromMinutes(90), s.KeyExpire);
        Assert.Equal(TimeSpan.FromSeconds(90), s.ExecTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1.5), s.Timeout);
        Assert.Equal(7, s.PoolSize);
        Assert.Equal(100, s.MaxRequests);
        Assert.True(s.Normal);
        Assert.True(s.Debug);
        Assert.Equal("mynode", s.Node);
        Assert.Equal(12000, s.SiloPort);
        Assert.Equal(31000, s.GatewayPort);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), s.Advertise);
    }

    [Fact]
    public async Task Build_NoFlags_UsesTheSeedDefaults()
    {
        var fake = new FakeRun();
        var code = await Cli.Build(fake.Invoke).Parse(["run"]).InvokeAsync();
        Assert.Equal(0, code);
        var s = Assert.IsType<SiloSettings>(fake.Settings);
        Assert.Equal(new ListenAddress(null, 2376), s.Addr);
        Assert.Equal(TimeSpan.FromHours(48), s.KeyExpire);
        Assert.Equal(TimeSpan.FromHours(24), s.ExecTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), s.Timeout);
        Assert.Equal(30, s.PoolSize);
        Assert.Equal(0, s.MaxRequests);
        Assert.False(s.Normal);
        Assert.Equal(Path.GetFullPath(Path.Combine(Path.GetTempPath(), "remote_executor")), s.Root);
    }

    [Fact]
    public async Task InvokeAsync_SecurityFlags_AreParsed()
    {
        var fake = new FakeRun();
        Assert.Equal(0, await Cli.InvokeAsync(["run", "--token=s3cret", "--metrics_token=m", "--insecure"], fake.Invoke));
        Assert.Equal("s3cret", fake.Settings!.Token);
        Assert.Equal("m", fake.Settings.MetricsToken);
        Assert.True(fake.Settings.Insecure);
    }

    [Theory]
    [InlineData(":2376", null, 2376)]
    [InlineData("127.0.0.1:9000", "127.0.0.1", 9000)]
    [InlineData("[::1]:9000", "::1", 9000)]
    [InlineData("localhost:80", "localhost", 80)]
    public async Task Build_AddrForms_Parse(string addr, string? host, int port)
    {
        var fake = new FakeRun();
        var parsed = Cli.Build(fake.Invoke).Parse(["run", "--addr", addr]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(0, await parsed.InvokeAsync());
        Assert.Equal(new ListenAddress(host, port), fake.Settings!.Addr);
    }

    [Theory]
    [InlineData("--pool_size=0", "--pool_size")]
    [InlineData("--key_expire=abc", "--key_expire")]
    [InlineData("--addr=nonsense", "--addr")]
    public void Build_BadValue_ErrorNamesTheFlag(string flag, string name)
    {
        var parsed = Cli.Build(new FakeRun().Invoke).Parse(["run", flag]);
        Assert.NotEmpty(parsed.Errors);
        Assert.Contains(parsed.Errors, e => e.Message.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_PoolSizeAboveMaxPoolSize_ExitsWithUsageErrorWithoutRunning()
    {
        var fake = new FakeRun();
        Assert.Equal(2, await Cli.InvokeAsync(["run", "--pool_size=50", "--max_pool_size=40"], fake.Invoke));
        Assert.Equal(0, fake.Calls);

        Assert.Equal(0, await Cli.InvokeAsync(["run", "--pool_size=2000", "--max_pool_size=4096"], fake.Invoke));
        Assert.Equal(2000, fake.Settings!.PoolSize);
        Assert.Equal(4096, fake.Settings.MaxPoolSize);
    }

    [Fact]
    public async Task InvokeAsync_BrowserFlags_AreSplitRepeatedAndNormalised()
    {
        var fake = new FakeRun();
        var code = await Cli.InvokeAsync(
            ["run", "--allowed_origins=https://Ops.Example.com/,http://a.test:8080", "--allowed_origins", "https://b.test:443",
             "--allowed_hosts=executor.lan,executor.lan:2376", "--allowed_hosts=[fd00::1]:2376"],
            fake.Invoke);
        Assert.Equal(0, code);
        Assert.Equal(["https://ops.example.com", "http://a.test:8080", "https://b.test"], fake.Settings!.AllowedOrigins);
        Assert.Equal(["executor.lan", "executor.lan:2376", "[fd00::1]:2376"], fake.Settings.AllowedHosts);
        Assert.Equal(1024, fake.Settings.MaxPoolSize);
    }

    [Fact]
    public async Task InvokeAsync_Labels_AreSplitRepeatedAndLaterWins()
    {
        var fake = new FakeRun();
        Assert.Equal(0, await Cli.InvokeAsync(["run", "--label=role=web,zone=eu-1", "--label", "role=db", "--label=example.com/tier="], fake.Invoke));
        Assert.Equal(
            new Dictionary<string, string> { ["example.com/tier"] = "", ["role"] = "db", ["zone"] = "eu-1" },
            fake.Settings!.Labels);

        Assert.Equal(0, await Cli.InvokeAsync(["run"], fake.Invoke));
        Assert.Empty(fake.Settings!.Labels);
    }
}
