using System.Net;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>The HTTP surface every client relies on: envelope, statuses, probes, documentation pages.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class EnvelopeTests
{
    private readonly ServerProcess _server;

    public EnvelopeTests(ApiServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    private static void AssertEnvelope(ApiAnswer answer)
    {
        Assert.Equal("application/json", answer.ContentType);
        var json = Assert.NotNull(answer.Json);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("code").ValueKind);
        Assert.Equal(JsonValueKind.String, json.GetProperty("message").ValueKind);
        Assert.True(json.TryGetProperty("data", out _), $"no data field: {answer}");

        // Unix nanoseconds: within a minute of now.
        var nanos = json.GetProperty("timestamp").GetInt64();
        var now = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        Assert.InRange(nanos, now - 60_000_000_000L, now + 60_000_000_000L);
    }

    [Theory]
    [InlineData("/api/v1/unknown")]
    [InlineData("/api/v3/task/x/y")]
    [InlineData("/no/such/route/at/all")]
    public async Task Get_UnknownRoute_Answers404EnvelopeWithCode1003(string path)
    {
        var answer = await Api.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        AssertEnvelope(answer);
        Assert.Equal(1003, answer.Code);
    }

    [Theory]
    [InlineData("DELETE", "/api/v1/task")]
    [InlineData("PATCH", "/api/v1/task")]
    [InlineData("DELETE", "/api/v2/task")]
    [InlineData("POST", "/version")]
    public async Task WrongMethod_OnKnownRoute_Answers405Envelope(string method, string path)
    {
        var answer = await Api.SendAsync(new HttpMethod(method), path);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.Status);
        AssertEnvelope(answer);
        Assert.NotEqual(0, answer.Code);
        Assert.Contains(method, answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_Get_AnswersEnvelopeWithVersion()
    {
        var answer = await Api.GetAsync("/version");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        AssertEnvelope(answer);
        Assert.Equal(0, answer.Code);
        Assert.Equal("success", answer.Message);
        Assert.False(string.IsNullOrEmpty(answer.Data.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Healthyz_Get_SaysRunning()
    {
        var answer = await Api.GetAsync("/healthyz");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        AssertEnvelope(answer);
        Assert.Equal(0, answer.Code);
        Assert.Equal("Running", answer.Data.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.String, answer.Data.GetProperty("server").ValueKind);
        Assert.Equal(JsonValueKind.String, answer.Data.GetProperty("client").ValueKind);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task Heartbeat_GetOrHead_AnswersEmpty200(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/heartbeat");
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task OpenApi_Document_IsJsonListingTheTaskRoutesAndNotTheDashboard()
    {
        var answer = await Api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        using var doc = JsonDocument.Parse(answer.Body);
        var paths = doc.RootElement.GetProperty("paths");
        var names = paths.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/task", names);
        Assert.Contains("/api/v2/task", names);
        Assert.Contains("/api/v1/task/{task}", names);
        Assert.Contains("/api/v1/task/{task}/{step}/console", names);
        Assert.True(paths.GetProperty("/api/v1/task").TryGetProperty("post", out _), "submit is not documented");
        Assert.DoesNotContain("/dashboard", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scalar_Page_IsHtmlInABrowser()
    {
        // A browser follows Scalar's own redirect (/scalar -> /scalar/) to the page.
        using var browser = new HttpClient { BaseAddress = _server.BaseAddress };
        using var response = await browser.GetAsync(new Uri("/scalar", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<title>RemoteExecutor API</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swagger_InABrowser_EndsOnTheScalarPage()
    {
        using var browser = new HttpClient { BaseAddress = _server.BaseAddress };
        using var response = await browser.GetAsync(new Uri("/swagger", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("/scalar", response.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Root_InABrowser_EndsOnTheWebUi_WhileApiClientsKeepTheList()
    {
        using var browser = new HttpClient { BaseAddress = _server.BaseAddress };
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var response = await browser.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/ui", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>RemoteExecutor</title>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var list = await Api.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.True(Assert.NotNull(list.Json).GetProperty("data").TryGetProperty("tasks", out _), list.ToString());
    }

    [Fact]
    public async Task Swagger_RedirectsToScalar()
    {
        var answer = await Api.GetAsync("/swagger");
        Assert.True((int)answer.Status is >= 300 and < 400, $"expected a redirect: {answer}");
        Assert.EndsWith("/scalar", new Uri(_server.BaseAddress, answer.Header("Location")).AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_Page_Answers200()
    {
        var answer = await Api.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Contains("<html", answer.Body, StringComparison.OrdinalIgnoreCase);
    }
}
