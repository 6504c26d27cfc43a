using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>The API token: what needs it, what stays open, how a wrong one is answered.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class AuthTests
{
    private readonly ServerProcess _server;

    public AuthTests(ApiServerFixture fixture) => _server = fixture.Server;

    private HttpClient Anonymous() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = _server.BaseAddress };

    private static async Task<ApiAnswer> SendAsync(HttpClient client, HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiAnswer(response.StatusCode, headers, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/v1/task")]
    [InlineData("GET", "/")]
    [InlineData("POST", "/api/v1/task")]
    [InlineData("POST", "/api/v2/task")]
    [InlineData("GET", "/api/v1/task/sometask")]
    [InlineData("GET", "/sometask")]
    [InlineData("PUT", "/api/v1/task/sometask")]
    [InlineData("GET", "/api/v1/task/sometask/step/console")]
    [InlineData("GET", "/api/v1/pool")]
    [InlineData("POST", "/api/v1/pool")]
    [InlineData("GET", "/api/v1/state")]
    public async Task ProtectedRoute_WithoutToken_Answers401EnvelopeAndDoesNothing(string method, string path)
    {
        using var client = Anonymous();
        var id = Ids.New("anon");
        var body = method == "POST" ? (path.Contains("pool", StringComparison.Ordinal) ? """{"size":30}""" : $$"""[{"name":"x","command_type":"bash","command_content":"touch /tmp/{{id}}"}]""") : null;
        var answer = await SendAsync(client, new HttpMethod(method), path, body);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.NotEqual(0, answer.Code);
        Assert.Contains("token", answer.Message, StringComparison.Ordinal);
        Assert.False(File.Exists($"/tmp/{id}"));
    }

    [Fact]
    public async Task ProtectedRoute_WithWrongToken_Answers401()
    {
        using var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token");
        var answer = await SendAsync(client, HttpMethod.Get, "/api/v1/task");
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Contains("not valid", answer.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthyz")]
    [InlineData("/heartbeat")]
    [InlineData("/version")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar/")]
    [InlineData("/ui")]
    [InlineData("/ui/js/app.js")]
    public async Task OpenRoute_WithoutToken_Answers200(string path)
    {
        using var client = Anonymous();
        var answer = await SendAsync(client, HttpMethod.Get, path);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task Dashboard_WithoutToken_AsksForBasicAuthAndTakesTheTokenAsPassword()
    {
        using var client = Anonymous();
        var refused = await SendAsync(client, HttpMethod.Get, "/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.StartsWith("Basic", refused.Header("WWW-Authenticate"), StringComparison.Ordinal);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{_server.Token}")));
        var page = await SendAsync(client, HttpMethod.Get, "/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.Status);
    }

    [Fact]
    public async Task Audit_SubmitAndKill_AreRecordedWithTheirOutcome()
    {
        var id = Ids.New("audited");
        await _server.Api.SubmitOkAsync(id, Steps.Array(Steps.Of("sleep 30", name: "slow")));
        await _server.Api.WaitForStepRunningAsync(id, "slow");
        await _server.Api.KillTaskAsync(id);
        await _server.Api.WaitForFinalAsync(id);

        var audit = await _server.Api.GetAsync("/api/v1/audit?size=1000");
        Assert.Equal(HttpStatusCode.OK, audit.Status);
        var mine = audit.Data.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("task").GetString() == id).ToList();
        Assert.Contains(mine, e => e.GetProperty("action").GetString() == "submit" && e.GetProperty("outcome").GetString() == "ok");
        Assert.Contains(mine, e => e.GetProperty("action").GetString() == "kill" && e.GetProperty("outcome").GetString() == "ok");
        Assert.All(mine, e => Assert.StartsWith("token:", e.GetProperty("actor").GetString(), StringComparison.Ordinal));
        Assert.All(mine, e => Assert.DoesNotContain(_server.Token!, e.ToString(), StringComparison.Ordinal));
    }
}
