using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Yaml;
using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Interfaces;
using RemoteExecutor.Grains.Plugins;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Tests.Unit;

/// <summary>Step kinds at submit: the <c>with</c> object in YAML, validation by the kind, names refused at load.</summary>
public sealed class StepKindTests
{
    private static StepKindRegistry Kinds() => StepKindRegistry.WithBuiltIns("test");

    private static TaskSpec Task(params StepRequest[] steps) => new() { Id = "t1", Steps = steps };

    [Fact]
    public void Yaml_With_BecomesAJsonObjectWithTypedScalars()
    {
        var (task, error) = TaskYaml.Read<TaskDto>("""
            step:
              - command_type: http
                with:
                  url: http://localhost/x
                  expected_status: [200, 404]
                  headers: {Accept: text/plain}
                  body: "42"
                  verify: true
            """, new JsonSerializerOptions { PropertyNameCaseInsensitive = true });

        Assert.Null(error);
        var with = task!.Step![0].With!.Value;
        Assert.Equal("http://localhost/x", with.GetProperty("url").GetString());
        Assert.Equal([200, 404], with.GetProperty("expected_status").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("text/plain", with.GetProperty("headers").GetProperty("Accept").GetString());
        Assert.Equal(JsonValueKind.String, with.GetProperty("body").ValueKind);
        Assert.True(with.GetProperty("verify").GetBoolean());
    }

    [Fact]
    public void Plan_HttpStep_UrlFromCommandContentOrWith_CanonicalName()
    {
        var (plan, error) = TaskPlanner.Plan(Task(
            new StepRequest { Name = "a", CommandType = "HTTP", CommandContent = "https://example.com/" },
            new StepRequest { Name = "b", CommandType = "http", With = """{"url": "http://example.com/", "expected_status": [204]}""" }), Kinds());

        Assert.Null(error);
        Assert.Equal(["http", "http"], plan!.Steps.Select(s => s.CommandType));
        Assert.Equal("""{"url": "http://example.com/", "expected_status": [204]}""", plan.Steps[1].With);
    }

    [Theory]
    [InlineData("http", "", null, "step[0]: http: give the URL in with.url or as command_content")]
    [InlineData("http", "http://x/", """{"expected_status": ["ok"]}""", "with.expected_status: \"ok\" is not an HTTP status")]
    [InlineData("http", "http://x/", """{"timeout": "soon"}""", "http: with.timeout:")]
    [InlineData("wasm", "../outside.wasm", null, "must be a path inside the task workspace")]
    [InlineData("bash", "echo", """{"a": 1}""", "step[0].with: settings are for step kinds; command_type bash takes none")]
    [InlineData("nosuch", "x", null, "unknown command_type \"nosuch\"; supported: bash,")]
    public void Plan_BadKindStep_Refused(string type, string content, string? with, string expected)
    {
        var (plan, error) = TaskPlanner.Plan(Task(new StepRequest { CommandType = type, CommandContent = content, With = with }), Kinds());

        Assert.Null(plan);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_UnknownKind_ListsScriptsAndKinds() =>
        Assert.EndsWith("step kinds: http, wasm", TaskPlanner.Plan(Task(new StepRequest { CommandType = "nosuch", CommandContent = "x" }), Kinds()).Error,
            StringComparison.Ordinal);

    [Theory]
    [InlineData("bash", "is a script command_type")]
    [InlineData("py3", "is a script command_type")]
    [InlineData("WASM", "is taken by a built-in kind")]
    [InlineData("bad name", "is not valid")]
    public void Registry_CollidingOrBadName_Refused(string name, string expected)
    {
        var refusal = Kinds().TryAdd(new StepKindEntry(name, "1", "/p/x.dll", new ExecutableStepKind(name)));
        Assert.Contains(expected, refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Loader_GarbageDll_SkippedOthersLoaded()
    {
        var dir = Directory.CreateTempSubdirectory("re-kinds-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "bad"));
            File.WriteAllText(Path.Combine(dir, "bad", "Bad.dll"), "not an assembly");
            Directory.CreateDirectory(Path.Combine(dir, "echo"));
            File.Copy(typeof(RemoteExecutor.Samples.EchoPlugin.EchoStepKind).Assembly.Location, Path.Combine(dir, "echo", "EchoPlugin.dll"));
            var kinds = Kinds();

            PluginLoader.LoadInto(kinds, dir, NullLogger.Instance);

            Assert.Equal(["http", "wasm", "echo"], kinds.Names);
            Assert.IsAssignableFrom<IStepKind>(kinds.Find("ECHO")!.Kind);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
