using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>
/// Doors beside the token (issue 19): open routes are exact routes, never path prefixes; Basic auth only on the
/// dashboard; routes answer only their methods; browsers' cross-site requests and non-JSON bodies are refused.
/// </summary>
[Collection(ApiServerCollection.Name)]
public sealed class SideDoorTests
{
    private readonly ServerProcess _server;

    public SideDoorTests(ApiServerFixture fixture) => _server = fixture.Server;

    private HttpClient Anonymous() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _server.BaseAddress };

    private static string Basic(string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}"));

    [Theory]
    [InlineData("/metricsexport")]
    [InlineData("/metricsexport/dump/console")]
    [InlineData("/metrics.bak")]
    [InlineData("/openapi/v2.json")]
    [InlineData("/openapi/anything")]
    [InlineData("/openapiX")]
    [InlineData("/scalar/dump/console")]
    [InlineData("/scalarX")]
    public async Task PathStartingLikeAnOpenRoute_WithoutToken_Answers401AndWithToken404(string path)
    {
        using var client = Anonymous();
        var answer = await new TaskApi(client).GetAsync(path);
        Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"GET {path}: {answer}");
        Assert.Contains("token", answer.Message, StringComparison.Ordinal);

        var withToken = await _server.Api.GetAsync(path);
        Assert.True(withToken.Status == HttpStatusCode.NotFound && withToken.Code == 1003, $"GET {path} with the token: {withToken}");
    }

    [Fact]
    public async Task TaskNamedLikeMetrics_IsReadWithTheTokenOnly()
    {
        var id = Ids.New("metricsexport");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("echo secret-output", name: "dump")));
        Assert.Equal(HttpStatusCode.OK, (await _server.Api.GetAsync($"/{id}")).Status);
        var console = await _server.Api.GetAsync($"/{id}/dump/console");
        Assert.Equal(HttpStatusCode.OK, console.Status);
        Assert.Contains("secret-output", TaskApi.Lines(console));

        using var client = Anonymous();
        var anonymous = new TaskApi(client);
        foreach (var path in new[] { $"/{id}", $"/{id}/dump/console", $"/api/v1/task/{id}" })
        {
            var answer = await anonymous.GetAsync(path);
            Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"GET {path} without a token: {answer}");
            Assert.DoesNotContain("secret-output", answer.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UnauthenticatedRequests_ActivateNoTaskGrain()
    {
        using var client = Anonymous();
        var anonymous = new TaskApi(client);
        var before = await TaskActivationsAsync();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/{Ids.New("metrics")}")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/{Ids.New("metrics")}/s/console")).Status);
        }

        // One authenticated read of an unknown id activates exactly one task grain: wait until the counter shows it.
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Api.DetailAsync(Ids.New("known"))).Status);
        var after = await Poll.UntilAsync(
            async () =>
            {
                var now = await TaskActivationsAsync();
                return (now > before, now);
            },
            Poll.Short,
            last => $"the authenticated read never showed in the task activations ({before} -> {last})");

        // 40 refused requests: before the fix each activated a grain. One for the read (a little slack for a
        // background activation by an earlier test's step).
        Assert.True(after - before <= 5, $"task activations went from {before} to {after}");
    }

    [Fact]
    public async Task BasicAuth_IsRefusedOnTheApiAndTakenOnTheDashboard()
    {
        using var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Basic(_server.Token!));
        var api = new TaskApi(client);

        var list = await api.GetAsync("/api/v1/task");
        Assert.Equal(HttpStatusCode.Unauthorized, list.Status);
        Assert.Contains("/dashboard only", list.Message, StringComparison.Ordinal);
        var id = Ids.New("basic");
        var submit = await api.SubmitV1Async(Steps.Array(Steps.Of($"touch /tmp/{id}")), $"id={id}");
        Assert.Equal(HttpStatusCode.Unauthorized, submit.Status);
        Assert.False(File.Exists($"/tmp/{id}"));

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/dashboard/")).Status);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task Metrics_OtherMethodThanGetOrHead_Answers405Envelope(string method)
    {
        using var client = Anonymous();
        var api = new TaskApi(client);
        var answer = await api.SendAsync(new HttpMethod(method), "/metrics");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Contains("not allowed", answer.Message, StringComparison.Ordinal);
        Assert.Equal("GET,HEAD", answer.Header("Allow")?.Replace(" ", "", StringComparison.Ordinal));

        // Without --metrics_token the scrape itself stays open.
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/metrics")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Head, "/metrics")).Status);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    public async Task Submit_BodyNotJson_Answers415NamingTheHeader(string contentType)
    {
        var id = Ids.New("plain");
        var steps = Steps.Array(Steps.Of($"touch /tmp/{id}")).ToJsonString();
        var answer = await _server.Api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={id}", steps, configure: r =>
            r.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.Contains("Content-Type: application/json", answer.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Api.DetailAsync(id)).Status);
    }

    [Fact]
    public async Task PoolResize_AboveMaxPoolSize_Answers1000NamingTheLimit()
    {
        var answer = await _server.Api.SendAsync(HttpMethod.Post, "/api/v1/pool", """{"size": 1025}""");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.Contains("size", answer.Message, StringComparison.Ordinal);
        Assert.Contains("1024", answer.Message, StringComparison.Ordinal);
        Assert.NotEqual(1025, (await _server.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32());
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("null")]
    [InlineData("http://127.0.0.1:1")]
    public async Task ForeignOrigin_WithToken_Answers403AndDoesNothing(string origin)
    {
        var id = Ids.New("origin");
        var steps = Steps.Array(Steps.Of($"touch /tmp/{id}")).ToJsonString();
        var submit = await _server.Api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={id}", steps, configure: r => r.Headers.Add("Origin", origin));
        Assert.Equal(HttpStatusCode.Forbidden, submit.Status);
        Assert.Contains("--allowed_origins", submit.Message, StringComparison.Ordinal);
        var list = await _server.Api.SendAsync(HttpMethod.Get, "/api/v1/task", configure: r => r.Headers.Add("Origin", origin));
        Assert.Equal(HttpStatusCode.Forbidden, list.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _server.Api.DetailAsync(id)).Status);
        Assert.False(File.Exists($"/tmp/{id}"));

        // The server's own pages (Scalar, dashboard) send its own origin.
        var own = await _server.Api.SendAsync(HttpMethod.Get, "/api/v1/task", configure: r => r.Headers.Add("Origin", $"http://127.0.0.1:{_server.Port}"));
        Assert.Equal(HttpStatusCode.OK, own.Status);
    }

    private async Task<long> TaskActivationsAsync()
    {
        var text = await _server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return text.Split('\n')
            .Where(l => l.StartsWith("orleans_catalog_activation_created_total{", StringComparison.Ordinal) && l.Contains("grain_type=\"task\"", StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
