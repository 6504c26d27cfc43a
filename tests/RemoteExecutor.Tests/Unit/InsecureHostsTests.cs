using Microsoft.AspNetCore.Http;
using RemoteExecutor.Api.Security;
using RemoteExecutor.Silo.Cli;
using RemoteExecutor.Silo.Hosting;

namespace RemoteExecutor.Tests.Unit;

public sealed class InsecureHostsTests
{
    private static SiloSettings Settings(string? host, bool insecure) =>
        new() { Addr = new ListenAddress(host, 2376), Root = "/tmp/x", Node = "n", Insecure = insecure };

    [Theory]
    [InlineData(null, true, "localhost")]
    [InlineData(null, false, null)]
    [InlineData("0.0.0.0", true, "0.0.0.0")]
    [InlineData("10.1.2.3", true, "10.1.2.3")]
    public void ListenAddressOf_InsecureWithoutHost_IsLoopback(string? host, bool insecure, string? expected) =>
        Assert.Equal(new ListenAddress(expected, 2376), SiloHost.ListenAddressOf(Settings(host, insecure)));

    [Fact]
    public void For_ExplicitAddress_AllowsLoopbackNamesTheAddressAndTheListedHosts()
    {
        var list = new HostAllowList(InsecureHosts.For(new ListenAddress("10.1.2.3", 2376), ["ops.lan"]));
        Assert.True(list.Allows(new HostString("localhost:2376")));
        Assert.True(list.Allows(new HostString("127.0.0.1:2376")));
        Assert.True(list.Allows(new HostString("[::1]:2376")));
        Assert.True(list.Allows(new HostString("10.1.2.3:2376")));
        Assert.True(list.Allows(new HostString("ops.lan:8443")));
        Assert.False(list.Allows(new HostString("10.1.2.3:2377")));
        Assert.False(list.Allows(new HostString("rebind.example:2376")));
    }

    [Fact]
    public void For_Wildcard_AllowsLoopbackButNoHostName()
    {
        var list = new HostAllowList(InsecureHosts.For(new ListenAddress("0.0.0.0", 2376), []));
        Assert.True(list.Allows(new HostString("127.0.0.1:2376")));
        Assert.False(list.Allows(new HostString("0.0.0.0:2376")));
        Assert.False(list.Allows(new HostString("rebind.example:2376")));
    }
}
