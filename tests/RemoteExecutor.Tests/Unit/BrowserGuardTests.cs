using Microsoft.AspNetCore.Http;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Tests.Unit;

public sealed class BrowserGuardTests
{
    [Theory]
    [InlineData("localhost:2376", true)]
    [InlineData("LOCALHOST:2376", true)]
    [InlineData("localhost.:2376", true)]
    [InlineData("[::1]:2376", true)]
    [InlineData("executor.lan", true)]
    [InlineData("executor.lan:9999", true)]
    [InlineData("localhost:2377", false)]
    [InlineData("localhost", false)]
    [InlineData("evil.example:2376", false)]
    [InlineData("localhost.evil.example:2376", false)]
    [InlineData("", false)]
    public void HostAllowList_Allows_MatchesNameAndPort(string host, bool allowed)
    {
        var list = new HostAllowList(["localhost:2376", "[::1]:2376", "Executor.LAN"]);
        Assert.Equal(allowed, list.Allows(new HostString(host)));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("host:0")]
    [InlineData("host:x")]
    [InlineData("::1")]
    [InlineData("user@host")]
    [InlineData("host/path")]
    public void HostAllowList_TryParse_RefusesMalformedEntries(string entry) =>
        Assert.False(HostAllowList.TryParse(entry, out _, out _));

    [Theory]
    [InlineData("https://ops.example.com", true)]
    [InlineData("HTTPS://OPS.EXAMPLE.COM:443", true)]
    [InlineData("http://127.0.0.1:2376", true)]
    [InlineData("http://127.0.0.1:2377", false)]
    [InlineData("https://127.0.0.1:2376", false)]
    [InlineData("http://ops.example.com", false)]
    [InlineData("null", false)]
    [InlineData("file://", false)]
    public void OriginAllowList_Allows_ListedAndOwnOriginOnly(string origin, bool allowed)
    {
        var list = new OriginAllowList(["https://ops.example.com/"]);
        Assert.Equal(allowed, list.Allows(origin, "http", new HostString("127.0.0.1:2376")));
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("Application/JSON; charset=utf-8", true)]
    [InlineData("application/merge-patch+json", true)]
    [InlineData("text/plain", false)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("multipart/form-data; boundary=x", false)]
    [InlineData("text/json+plain", false)]
    [InlineData(null, false)]
    [InlineData("", false)]
    public void BodyMediaType_IsAccepted_JsonOnly(string? contentType, bool accepted) =>
        Assert.Equal(accepted, BodyMediaType.IsAccepted(contentType));
}
