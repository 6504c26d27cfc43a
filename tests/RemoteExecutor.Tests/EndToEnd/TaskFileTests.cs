using System.Net;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Task files over HTTP: YAML bodies on the v2 submit, the JSON Schema, and 415 for YAML everywhere else.</summary>
[Collection(ApiServerCollection.Name)]
public sealed class TaskFileTests(ApiServerFixture fixture)
{
    private TaskApi Api => fixture.Api;

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    [Theory]
    [InlineData("application/yaml")]
    [InlineData("application/x-yaml")]
    [InlineData("text/yaml")]
    public async Task SubmitV2_YamlBody_RunsTheTask(string contentType)
    {
        var id = NewId("yaml");
        var yaml = $"""
            id: {id}
            env_vars: [WHO=yaml]
            step:
              - name: hello
                command_type: bash
                command_content: echo "hello $WHO"
            """;

        var answer = await Api.SendAsync(HttpMethod.Post, "/api/v2/task", yaml, contentType);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(id, answer.Data.GetProperty("id").GetString());
        await Api.WaitForFinalAsync(id);
        Assert.Equal(["hello yaml"], TaskApi.Lines(await Api.ConsoleAsync(id, "hello")));
    }

    [Fact]
    public async Task SubmitV2_BadYaml_Refused400NamingLineAndField()
    {
        var yaml = "id: badyaml\nstep:\n  - command_type: bash\n    command_content: echo\n  - command_type: bash\n    command_content: echo\n    timeout: [1m]\n";

        var answer = await Api.SendAsync(HttpMethod.Post, "/api/v2/task", yaml, "application/yaml");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.StartsWith("line 7: step[1].timeout: expected text, got a list", answer.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.DetailAsync("badyaml")).Status);
    }

    [Fact]
    public async Task SubmitV2_YamlAliases_Refused()
    {
        var yaml = "id: bomb\nx: &a [lol, lol, lol]\nenv_vars: [*a, *a]\n";

        var answer = await Api.SendAsync(HttpMethod.Post, "/api/v2/task", yaml, "application/yaml");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("aliases", answer.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/api/v1/task")]
    [InlineData("POST", "/")]
    [InlineData("POST", "/api/v1/pool")]
    [InlineData("PUT", "/api/v1/task/yamlkill")]
    public async Task OtherRoutes_YamlBody_Refused415(string method, string path)
    {
        var answer = await Api.SendAsync(new HttpMethod(method), path, "size: 3\n", "application/yaml");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Contains("application/json", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitV2_TextPlain_StillRefused415()
    {
        var answer = await Api.SendAsync(HttpMethod.Post, "/api/v2/task", "id: x\n", "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
    }

    [Fact]
    public async Task TaskSchema_OpenWithoutToken_IsAJsonSchemaOfTheV2Body()
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        using var response = await http.GetAsync(new Uri("/schema/task.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        using var schema = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = schema.RootElement;
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.Equal("object", root.GetProperty("type").GetString());
        var step = root.GetProperty("properties").GetProperty("step");
        Assert.Contains("array", step.GetProperty("type").EnumerateArray().Select(t => t.GetString()));
        var stepFields = step.GetProperty("items").GetProperty("properties");
        Assert.True(stepFields.TryGetProperty("command_type", out var commandType));
        Assert.False(string.IsNullOrEmpty(commandType.GetProperty("description").GetString()));
        Assert.True(root.GetProperty("properties").TryGetProperty("async", out _));
    }

    [Fact]
    public async Task OpenApi_V2Submit_DocumentsTheYamlBody()
    {
        var document = await Api.GetAsync("/openapi/v1.json");
        var content = document.Json!.Value.GetProperty("paths").GetProperty("/api/v2/task").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content");

        Assert.True(content.TryGetProperty("application/json", out _));
        Assert.True(content.TryGetProperty("application/yaml", out var yaml));
        Assert.Contains("command_type:", yaml.GetProperty("example").GetString(), StringComparison.Ordinal);
    }
}
