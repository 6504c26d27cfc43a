using System.Text;
using Microsoft.AspNetCore.Http;
using RemoteExecutor.Api;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class TargetsParserTests
{
    private static async Task<(TaskSpec? Spec, string? Error)> V2Async(string json)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return await SubmitParser.ReadV2Async(context.Request, "a");
    }

    private const string Step = "\"step\":[{\"name\":\"s\",\"command_type\":\"bash\",\"command_content\":\"true\"}]";

    [Fact]
    public async Task ReadV2_Targets_AreParsed()
    {
        var (spec, error) = await V2Async("{\"targets\":{\"labels\":{\"role\":\"web\"},\"max_parallel\":2,\"max_errors\":\"10%\"}," + Step + "}");
        Assert.Null(error);
        var targets = spec!.Targets!;
        Assert.Equal("web", targets.Labels["role"]);
        Assert.Equal(2, targets.MaxParallel);
        Assert.Equal(10, targets.MaxErrors);
        Assert.True(targets.MaxErrorsPercent);

        (spec, error) = await V2Async("{\"targets\":{\"nodes\":[\"b\",\"c\"],\"max_errors\":0}," + Step + "}");
        Assert.Null(error);
        Assert.Equal(["b", "c"], spec!.Targets!.Nodes);
        Assert.Equal(0, spec.Targets.MaxErrors);
        Assert.False(spec.Targets.MaxErrorsPercent);
    }

    [Theory]
    [InlineData("\"node\":\"b\",\"targets\":{\"all\":true}", "targets and node are exclusive")]
    [InlineData("\"targets\":{}", "targets: name the nodes")]
    [InlineData("\"targets\":{\"all\":true,\"nodes\":[\"a\"]}", "targets: give only one of")]
    [InlineData("\"targets\":{\"nodes\":[]}", "targets.nodes: name at least one node")]
    [InlineData("\"targets\":{\"nodes\":[\"a-b\"]}", "targets.nodes[0]")]
    [InlineData("\"targets\":{\"labels\":{\"role\":\"a b\"}}", "targets.labels.role")]
    [InlineData("\"targets\":{\"all\":true,\"max_parallel\":0}", "targets.max_parallel")]
    [InlineData("\"targets\":{\"all\":true,\"max_errors\":\"120%\"}", "targets.max_errors")]
    [InlineData("\"targets\":{\"all\":true,\"max_errors\":-1}", "targets.max_errors")]
    [InlineData("\"targets\":{\"all\":true,\"max_errors\":\"some\"}", "targets.max_errors")]
    public async Task ReadV2_BadTargets_AreRefusedNamingTheField(string fields, string expected)
    {
        var (spec, error) = await V2Async("{" + fields + "," + Step + "}");
        Assert.Null(spec);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadV1_TargetsQuery_TakesTheSameObject()
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = "application/json";
        context.Request.QueryString = QueryString.Create("targets", "{\"all\":true,\"max_parallel\":1}");
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("[{\"name\":\"s\",\"command_type\":\"bash\",\"command_content\":\"true\"}]"));
        var (spec, error) = await SubmitParser.ReadV1Async(context.Request, "a");
        Assert.Null(error);
        Assert.True(spec!.Targets!.All);
        Assert.Equal(1, spec.Targets.MaxParallel);

        context.Request.QueryString = QueryString.Create("targets", "{all");
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("[]"));
        (spec, error) = await SubmitParser.ReadV1Async(context.Request, "a");
        Assert.Null(spec);
        Assert.StartsWith("query parameter targets", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_TargetsLabels_AreAMappingOfText()
    {
        var (task, error) = RemoteExecutor.Api.Yaml.TaskYaml.Read<RemoteExecutor.Api.Dtos.TaskDto>(
            "targets:\n  labels: {role: web}\n  max_errors: 10%\nstep: []\n", new System.Text.Json.JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        Assert.Null(error);
        Assert.Equal("web", task!.Targets!.Labels!["role"]);
        Assert.Equal("10%", task.Targets.MaxErrors!.Value.GetString());
    }
}
