using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>What operators look at: host state and Prometheus metrics.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class ObservabilityTests
{
    private readonly ServerProcess _server;

    public ObservabilityTests(ApiServerFixture fixture) => _server = fixture.Server;

    [Fact]
    public async Task State_Get_DescribesOsCpuRamAndDisk()
    {
        var state = await _server.Api.GetAsync("/api/v1/state");
        Assert.Equal(HttpStatusCode.OK, state.Status);
        Assert.Equal(0, state.Code);
        Assert.False(string.IsNullOrEmpty(state.Data.GetProperty("os").GetProperty("hostname").GetString()));
        Assert.Equal(Environment.ProcessorCount, state.Data.GetProperty("cpu").GetProperty("count").GetInt32());
        Assert.True(state.Data.GetProperty("ram").GetProperty("total").GetInt64() > 0);
        Assert.True(state.Data.GetProperty("disk").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Metrics_Get_IsPrometheusText()
    {
        // One finished task so the engine's own counters exist.
        await _server.Api.RunAsync(Ids.New("metrics"), Steps.Array(Steps.Of("true")));
        using var response = await _server.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE ", text, StringComparison.Ordinal);
    }
}
