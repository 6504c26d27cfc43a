using System.Net;
using System.Net.Http.Headers;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Server whose <c>/metrics</c> needs its own token.</summary>
public sealed class MetricsTokenServerFixture : ServerFixture
{
    public const string MetricsToken = "scrape-0123456789abcdef";

    protected override string[] Args => [$"--metrics_token={MetricsToken}"];
}

/// <summary><c>--metrics_token</c> opens <c>/metrics</c> and nothing else; the API token keeps working everywhere.</summary>
public sealed class MetricsTokenTests : IClassFixture<MetricsTokenServerFixture>
{
    private readonly ServerProcess _server;

    public MetricsTokenTests(MetricsTokenServerFixture fixture) => _server = fixture.Server;

    private TaskApi WithBearer(HttpClient client, string token)
    {
        client.BaseAddress = _server.BaseAddress;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TaskApi(client);
    }

    [Fact]
    public async Task MetricsToken_OpensMetricsOnly_AndTheApiTokenReadsTasksNamedMetrics()
    {
        var id = Ids.New("metricsjob");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("echo hello", name: "s")));

        using var scrapeClient = new HttpClient();
        var scraper = WithBearer(scrapeClient, MetricsTokenServerFixture.MetricsToken);
        Assert.Equal(HttpStatusCode.OK, (await scraper.GetAsync("/metrics")).Status);
        foreach (var path in new[] { "/api/v1/task", $"/{id}", $"/{id}/s/console", $"/api/v1/task/{id}", "/api/v1/pool" })
        {
            var refused = await scraper.GetAsync(path);
            Assert.True(refused.Status == HttpStatusCode.Unauthorized, $"GET {path} with the metrics token: {refused}");
        }

        // The API token: the task called metrics..., by every route, and /metrics too.
        Assert.Equal(HttpStatusCode.OK, (await _server.Api.GetAsync($"/{id}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.Api.GetAsync($"/{id}/s/console")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.Api.DetailAsync(id)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _server.Api.GetAsync("/metrics")).Status);

        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await new TaskApi(anonymous).GetAsync("/metrics")).Status);
    }
}
