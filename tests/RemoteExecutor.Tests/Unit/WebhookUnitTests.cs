using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RemoteExecutor.Grains.Hooks;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class WebhookUnitTests
{
    private static readonly TaskEvent Finished = new("step.finished", "t1", "build", 0, 0, "success", "web1", "2026-12-01T05:00:00.0000000Z");

    [Fact]
    public void Body_IsCloudEvents10_WithTheStableIdAndTheEventAsData()
    {
        var root = JsonDocument.Parse(CloudEvent.Body(42, Finished)).RootElement;
        Assert.Equal(("1.0", "42", "step.finished", "build", "/remote-executor/web1/task/t1"), (root.GetProperty("specversion").GetString(),
            root.GetProperty("id").GetString(), root.GetProperty("type").GetString(), root.GetProperty("subject").GetString(), root.GetProperty("source").GetString()));
        Assert.Equal("success", root.GetProperty("data").GetProperty("msg").GetString());
        Assert.Equal(CloudEvent.Body(42, Finished), CloudEvent.Body(42, Finished));
    }

    [Fact]
    public void Signature_IsHexHmacSha256OfTheBody_AndAbsentWithoutSecret()
    {
        var body = CloudEvent.Body(7, Finished);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("k"), body)), CloudEvent.Signature("k", body));
        Assert.Null(CloudEvent.Signature("", body));
    }

    [Theory]
    [InlineData("https://ci.example/hook", true)]
    [InlineData("http://127.0.0.1:8080/x?a=1", true)]
    [InlineData("ftp://ci.example/hook", false)]
    [InlineData("/relative/hook", false)]
    [InlineData("file:///etc/passwd", false)]
    [InlineData("not a url", false)]
    public void HookUrl_AcceptsOnlyAbsoluteHttpOrHttps(string url, bool valid) => Assert.Equal(valid, HookUrl.IsValid(url));

    [Fact]
    public void Backoff_DoublesFromOneSecondUpToTenMinutes()
    {
        Assert.Equal([1, 2, 4, 8], new[] { 1, 2, 3, 4 }.Select(r => HookBackoff.After(r).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(10), HookBackoff.After(40));
    }
}
