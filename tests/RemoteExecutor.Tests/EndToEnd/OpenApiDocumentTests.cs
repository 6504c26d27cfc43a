using System.Net;
using System.Text.Json;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>The OpenAPI document teaches the API: it validates, and its main calls carry bodies, options and examples.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class OpenApiDocumentTests
{
    private readonly ServerProcess _server;

    public OpenApiDocumentTests(ApiServerFixture fixture) => _server = fixture.Server;

    private async Task<string> DocumentAsync()
    {
        var answer = await _server.Api.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Body;
    }

    [Fact]
    public async Task Document_ValidatesWithTheOpenApiReader()
    {
        var text = await DocumentAsync();
        var result = OpenApiDocument.Parse(text, OpenApiConstants.Json, new OpenApiReaderSettings());
        Assert.Empty(result.Diagnostic?.Errors ?? []);
        var document = Assert.IsType<OpenApiDocument>(result.Document);
        var errors = document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Pointer}: {e.Message}")));
        Assert.Equal("RemoteExecutor API", document.Info.Title);
        Assert.Contains("Authorization: Bearer", document.Info.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/task", "array")]
    [InlineData("/", "array")]
    [InlineData("/api/v2/task", null)]
    [InlineData("/api/v1/pool", null)]
    public async Task Posts_HaveARequestBodyWithAnExample(string path, string? type)
    {
        using var doc = JsonDocument.Parse(await DocumentAsync());
        var body = doc.RootElement.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody");
        var json = body.GetProperty("content").GetProperty("application/json");
        Assert.True(json.TryGetProperty("schema", out var schema), $"{path}: no schema");
        if (type is not null)
        {
            Assert.Equal(type, schema.GetProperty("type").GetString());
        }

        // One example, or (the v2 body: a task and a fan-out) named examples.
        var example = json.TryGetProperty("example", out var single) ? single
            : json.TryGetProperty("examples", out var named) ? named.EnumerateObject().First().Value.GetProperty("value") : default;
        Assert.True(example.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null), $"{path}: no example");
    }

    [Fact]
    public async Task SubmitV1_DeclaresItsQueryOptions()
    {
        using var doc = JsonDocument.Parse(await DocumentAsync());
        var parameters = doc.RootElement.GetProperty("paths").GetProperty("/api/v1/task").GetProperty("post").GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
        foreach (var name in new[] { "id", "timeout", "env_vars", "async", "node" })
        {
            Assert.True(parameters.TryGetValue(name, out var p), $"submit has no query parameter {name}");
            Assert.Equal("query", p.GetProperty("in").GetString());
            Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("description").GetString()), $"{name} has no description");
        }

        Assert.Equal("boolean", parameters["async"].GetProperty("schema").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Numbers_AreNumbers_AndExamplesAreRealEnvelopes()
    {
        var text = await DocumentAsync();
        Assert.DoesNotContain("[\"integer\",\"string\"]", text.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("\"message\": \"string\"", text, StringComparison.Ordinal);

        using var doc = JsonDocument.Parse(text);
        var responses = doc.RootElement.GetProperty("paths").GetProperty("/api/v1/task/{task}").GetProperty("get").GetProperty("responses");
        var notFound = responses.GetProperty("404").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal(1003, notFound.GetProperty("code").GetInt32());
        var ok = responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("examples").GetProperty("task").GetProperty("value");
        Assert.Equal(JsonValueKind.Array, ok.GetProperty("data").ValueKind);
        Assert.True(responses.TryGetProperty("401", out _), "a protected route does not document 401");
    }

    [Fact]
    public async Task FanOut_SubmitV2AndDetail_HaveFanOutExamples()
    {
        using var doc = JsonDocument.Parse(await DocumentAsync());
        var paths = doc.RootElement.GetProperty("paths");
        var body = paths.GetProperty("/api/v2/task").GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/json").GetProperty("examples");
        Assert.Equal("deploy42", body.GetProperty("task").GetProperty("value").GetProperty("id").GetString());
        var fanOut = body.GetProperty("fanout").GetProperty("value");
        Assert.False(fanOut.TryGetProperty("node", out _), "a fan-out example names node beside targets");
        var targets = fanOut.GetProperty("targets");
        Assert.Equal("web", targets.GetProperty("labels").GetProperty("role").GetString());
        Assert.Equal(2, targets.GetProperty("max_parallel").GetInt32());
        Assert.Equal("10%", targets.GetProperty("max_errors").GetString());

        var detail = paths.GetProperty("/api/v1/task/{task}").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content")
            .GetProperty("application/json").GetProperty("examples").GetProperty("fanout").GetProperty("value");
        Assert.Equal(1001, detail.GetProperty("code").GetInt32());
        var runs = detail.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["web1", "web2", "web3"], runs.Select(r => r.GetProperty("node").GetString()));
        foreach (var field in new[] { "state", "code", "msg", "start_time", "end_time" })
        {
            Assert.All(runs, r => Assert.True(r.TryGetProperty(field, out _), $"a run has no {field}"));
        }

        Assert.All(detail.GetProperty("data").EnumerateArray(), s => Assert.Equal(3, s.GetProperty("nodes").GetArrayLength()));
    }

    [Fact]
    public async Task Operations_HaveUniqueIdsAndSummaries_AndOnlyProbesAreOpen()
    {
        using var doc = JsonDocument.Parse(await DocumentAsync());
        var ids = new List<string>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var id = operation.Value.GetProperty("operationId").GetString()!;
                ids.Add(id);
                Assert.False(string.IsNullOrWhiteSpace(operation.Value.GetProperty("summary").GetString()), $"{id} has no summary");
                var open = operation.Value.TryGetProperty("security", out var security) && security.GetArrayLength() == 0;
                // The task schema is open like the API documents: it describes the request shape only.
                var probe = path.Name is "/healthyz" or "/heartbeat" or "/version" or "/schema/task.json";
                Assert.True(open == probe, $"{operation.Name.ToUpperInvariant()} {path.Name}: open={open}");
            }
        }

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        // Descriptions are Markdown: a bare <root> would be eaten as an HTML tag.
        var unescaped = System.Text.Json.Nodes.JsonNode.Parse(doc.RootElement.GetRawText())!
            .ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.DoesNotMatch(@"(?<!`)<root>", unescaped);
    }
}
