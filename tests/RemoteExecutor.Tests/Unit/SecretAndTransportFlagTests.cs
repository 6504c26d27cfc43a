using System.Security.Cryptography.X509Certificates;
using RemoteExecutor.Silo.Cli;
using RemoteExecutor.Silo.Hosting;
using Cli = RemoteExecutor.Silo.Cli.CommandLine;

namespace RemoteExecutor.Tests.Unit;

/// <summary>Issue 19: secrets from files (nothing in <c>ps</c>), and cluster mode refusing to start without transport security.</summary>
public sealed class SecretAndTransportFlagTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("re-flags-").FullName;
    private SiloSettings? _ran;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<int> Run(SiloSettings settings, CancellationToken cancellationToken)
    {
        _ran = settings;
        return Task.FromResult(0);
    }

    private string Secret(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("tok-1\n", "tok-1")]
    [InlineData("tok-2\r\n", "tok-2")]
    [InlineData("tok-3", "tok-3")]
    [InlineData("  spaced tok \n", "  spaced tok ")]
    public async Task TokenFile_Contents_BecomeTheTokenWithoutTheTrailingNewline(string text, string expected)
    {
        Assert.Equal(0, await Cli.InvokeAsync(["run", $"--token_file={Secret("token", text)}"], Run));
        Assert.Equal(expected, _ran!.Token);
    }

    [Fact]
    public async Task MetricsTokenAndDatabaseFiles_AreRead()
    {
        var code = await Cli.InvokeAsync(
            ["run", $"--metrics_token_file={Secret("m", "scrape\n")}", $"--database_file={Secret("db", "Host=db;Password=pw\n")}", "--cluster_insecure"], Run);
        Assert.Equal(0, code);
        Assert.Equal("scrape", _ran!.MetricsToken);
        Assert.Equal("Host=db;Password=pw", _ran.Database);
    }

    [Theory]
    [InlineData("--token_file")]
    [InlineData("--metrics_token_file")]
    [InlineData("--database_file")]
    public async Task SecretFile_Missing_ExitsWithUsageErrorWithoutRunning(string flag)
    {
        Assert.Equal(2, await Cli.InvokeAsync(["run", $"{flag}={Path.Combine(_dir, "absent")}"], Run));
        Assert.Null(_ran);
    }

    [Fact]
    public void SecretFile_UnreadableOrEmpty_OneLineErrorNamesFlagAndFile()
    {
        var missing = Path.Combine(_dir, "absent");
        Assert.False(SecretFile.TryRead("--token_file", missing, out _, out var error));
        Assert.Contains("--token_file", error, StringComparison.Ordinal);
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);

        Assert.False(SecretFile.TryRead("--token_file", Secret("empty", "\n"), out _, out var empty));
        Assert.Contains("empty", empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenAndTokenFile_Together_AreRefused()
    {
        Assert.Equal(2, await Cli.InvokeAsync(["run", "--token=x", $"--token_file={Secret("t", "y")}"], Run));
        Assert.Null(_ran);
    }

    [Fact]
    public async Task ClusterMode_WithoutCertificate_RefusesToStartNamingTheFlags()
    {
        Assert.Equal(2, await Cli.InvokeAsync(["run", "--database=Host=db"], Run));
        Assert.Null(_ran);
        var error = Cli.TransportError(new SiloSettings { Addr = new ListenAddress(null, 1), Root = _dir, Node = "n", Database = "Host=db" });
        Assert.Contains("--cluster_cert", error, StringComparison.Ordinal);
        Assert.Contains("--cluster_key", error, StringComparison.Ordinal);
        Assert.Contains("--cluster_insecure", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterMode_CertWithoutKey_OrGatewayWithoutCertificate_AreRefused()
    {
        Assert.Equal(2, await Cli.InvokeAsync(["run", "--database=Host=db", "--cluster_cert=/x.crt"], Run));
        Assert.Equal(2, await Cli.InvokeAsync(["run", "--database=Host=db", "--cluster_insecure", "--gateway_port=30000"], Run));
        Assert.Null(_ran);
    }

    [Fact]
    public async Task ClusterFlags_AreParsed_DefaultsKeepTheStoredServiceIdAndNoGateway()
    {
        Assert.Equal(0, await Cli.InvokeAsync(["run"], Run));
        Assert.Equal("remote-executor", _ran!.ClusterId);
        Assert.Null(_ran.GatewayPort);

        Assert.Equal(0, await Cli.InvokeAsync(
            ["run", "--database=Host=db", "--cluster_cert=/c.crt", "--cluster_key=/c.key", "--cluster_id=blue", "--gateway_port=31000"], Run));
        Assert.Equal("/c.crt", _ran.ClusterCert);
        Assert.Equal("/c.key", _ran.ClusterKey);
        Assert.Equal("blue", _ran.ClusterId);
        Assert.Equal(31000, _ran.GatewayPort);
    }

    [Fact]
    public async Task ClusterCertCommand_WritesOwnerOnlyPemPair_ThatLoadsAndPinsOnlyItself()
    {
        Assert.Equal(0, await Cli.InvokeAsync(["cluster-cert", $"--out={_dir}"], Run));
        var cert = Path.Combine(_dir, "cluster.crt");
        var key = Path.Combine(_dir, "cluster.key");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cert));
        }

        using var loaded = ClusterCertificate.Load(cert, key);
        Assert.True(loaded.HasPrivateKey);
        using var again = X509CertificateLoader.LoadCertificateFromFile(cert);
        using var other = ClusterCertificate.Create("other", TimeSpan.FromDays(1));
        Assert.True(ClusterCertificate.Matches(loaded, again));
        Assert.False(ClusterCertificate.Matches(loaded, other));
        Assert.False(ClusterCertificate.Matches(loaded, null));
        Assert.Throws<InvalidDataException>(() => ClusterCertificate.Load(cert, Path.Combine(_dir, "absent.key")));
    }
}
