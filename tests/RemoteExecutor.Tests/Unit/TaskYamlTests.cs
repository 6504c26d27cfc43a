using System.Text.Json;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Yaml;

namespace RemoteExecutor.Tests.Unit;

public sealed class TaskYamlTests
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private static (TaskDto? Task, string? Error) Read(string text) => TaskYaml.Read<TaskDto>(text, Json);

    [Fact]
    public void Read_ControlFields_BindLikeJson()
    {
        var (task, error) = Read("""
            max_parallel: 2
            run_at: 2026-12-01T08:00:00Z
            delay: 10m
            step:
              - command_type: bash
                command_content: echo hi
                when: on_failure
            """);

        Assert.Null(error);
        Assert.NotNull(task);
        Assert.Equal(2, task.MaxParallel);
        Assert.Equal("2026-12-01T08:00:00Z", task.RunAt);
        Assert.Equal("10m", task.Delay);
        Assert.Equal("on_failure", task.Step![0].When);
        Assert.Contains("max_parallel: expected a whole number", Read("max_parallel: two\nstep: []").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FullTask_BindsEveryField()
    {
        var (task, error) = Read("""
            id: hello
            timeout: 10m
            env_vars: [A=1, "B=two words"]
            async: true
            node: n1
            step:
              - name: first
                command_type: bash
                command_content: |
                  echo one
                  echo two
                timeout: 90s
              - name: 2
                command_type: python3
                command_content: print(1)
                depends_on: [first]
                env_vars:
                  - C=3
            """);

        Assert.Null(error);
        Assert.NotNull(task);
        Assert.Equal("hello", task.Id);
        Assert.Equal("10m", task.Timeout);
        Assert.Equal(["A=1", "B=two words"], task.EnvVars);
        Assert.True(task.Async);
        Assert.Equal("n1", task.Node);
        Assert.Equal(2, task.Step!.Count);
        Assert.Equal("echo one\necho two\n", task.Step[0].CommandContent);
        Assert.Equal("90s", task.Step[0].Timeout);
        Assert.Equal("2", task.Step[1].Name);
        Assert.Equal(["first"], task.Step[1].DependsOn);
        Assert.Equal(["C=3"], task.Step[1].EnvVars);
    }

    [Theory]
    [InlineData("step:\n  - command_type: bash\n    command_content: echo\n  - command_type: [bash]\n", "line 4: step[1].command_type: expected text, got a list")]
    [InlineData("id: x\nasync: maybe\n", "line 2: async: expected true or false, got \"maybe\"")]
    [InlineData("id: x\nstep:\n  command_type: bash\n", "line 3: step: expected a list, got a mapping")]
    [InlineData("id: x\nsteps: []\n", "line 2: steps: unknown field")]
    [InlineData("id: x\nid: y\n", "line 2: id: the field is given twice")]
    [InlineData("- a\n- b\n", "line 1: the body: expected a mapping of fields, got a list")]
    [InlineData("id: x\nstep: [\n", "line 3: malformed YAML")]
    [InlineData("id: x\n---\nid: y\n", "line 2: only one YAML document")]
    public void Read_BadTask_NamesLineAndField(string yaml, string expected)
    {
        var (task, error) = Read(yaml);
        Assert.Null(task);
        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Aliases_Refused()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        var (task, error) = Read(bomb);
        Assert.Null(task);
        Assert.StartsWith("line 2: YAML aliases (*a) are not accepted", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeepNesting_RefusedWithoutRecursing()
    {
        var deep = "id: " + new string('[', 100_000) + new string(']', 100_000) + "\n";
        var (task, error) = Read(deep);
        Assert.Null(task);
        Assert.Contains($"nested deeper than {TaskYaml.MaxDepth} levels", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void Read_Empty_SaysSo(string yaml)
    {
        var (task, error) = Read(yaml);
        Assert.Null(task);
        Assert.Contains("empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NullValues_AreAbsent()
    {
        var (task, error) = Read("id: ~\ntimeout:\nstep:\n  - command_type: bash\n    command_content: echo hi\n");
        Assert.Null(error);
        Assert.Null(task!.Id);
        Assert.Null(task.Timeout);
        Assert.Single(task.Step!);
    }

    [Fact]
    public void Read_ReadmeExample_IsAValidTask()
    {
        var path = Path.Combine(RemoteExecutor.Tests.Harness.ServerBinary.RepoRoot, "docs", "examples", "hello.yaml");
        var (task, error) = Read(File.ReadAllText(path));
        Assert.Null(error);
        Assert.Equal("hello", task!.Id);
        Assert.Equal(["greet"], task.Step![1].DependsOn);
    }
}
