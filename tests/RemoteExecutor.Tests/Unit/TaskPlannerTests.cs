using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class TaskPlannerTests
{
    private static StepRequest Step(string? name, string? type = "bash", string? content = "echo hi", string[]? dependsOn = null, TimeSpan? timeout = null, string[]? env = null) =>
        new() { Name = name, CommandType = type, CommandContent = content, DependsOn = dependsOn, Timeout = timeout, EnvVars = env };

    private static TaskSpec Task(bool isAsync, params StepRequest[] steps) => new() { Id = "t1", Async = isAsync, Steps = steps };

    private static string PlanError(TaskSpec spec)
    {
        var (plan, error) = TaskPlanner.Plan(spec);
        Assert.Null(plan);
        Assert.NotNull(error);
        return error;
    }

    private static TaskPlan PlanOk(TaskSpec spec)
    {
        var (plan, error) = TaskPlanner.Plan(spec);
        Assert.Null(error);
        Assert.NotNull(plan);
        return plan;
    }

    [Fact]
    public void Plan_NoSteps_SaysTheTaskHasNoSteps() =>
        Assert.Contains("no steps", PlanError(Task(false)), StringComparison.Ordinal);

    [Fact]
    public void Plan_MissingCommandType_NamesTheFieldAndTheStep()
    {
        var error = PlanError(Task(false, Step("a"), Step("b", type: null)));
        Assert.Contains("step[1]", error, StringComparison.Ordinal);
        Assert.Contains("command_type is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BlankCommandType_IsRequired() =>
        Assert.Contains("command_type is required", PlanError(Task(false, Step("a", type: "  "))), StringComparison.Ordinal);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Plan_MissingCommandContent_NamesTheField(string? content)
    {
        var error = PlanError(Task(false, Step("a", content: content)));
        Assert.Contains("step[0]", error, StringComparison.Ordinal);
        Assert.Contains("command_content is required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_UnknownCommandType_ListsTheSupportedOnes()
    {
        var error = PlanError(Task(false, Step("a", type: "fish")));
        Assert.Contains("unknown command_type \"fish\"", error, StringComparison.Ordinal);
        foreach (var supported in new[] { "bash", "sh", "shell", "ash", "dash", "ksh", "zsh", "csh", "tcsh", "python3", "py3", "python", "python2", "py", "py2", "powershell", "pwsh", "cmd" })
        {
            Assert.Contains(supported, error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("BASH", "bash")]
    [InlineData("shell", "sh")]
    [InlineData("py3", "python3")]
    [InlineData("py2", "python")]
    [InlineData("pwsh", "powershell")]
    [InlineData(" zsh ", "zsh")]
    public void Plan_CommandTypeAlias_IsStoredUnderItsCanonicalName(string given, string canonical) =>
        Assert.Equal(canonical, PlanOk(Task(false, Step("a", type: given))).Steps[0].CommandType);

    [Fact]
    public void Plan_DuplicateNames_NamesTheDuplicate()
    {
        var error = PlanError(Task(false, Step("build"), Step("build")));
        Assert.Contains("duplicate step name \"build\"", error, StringComparison.Ordinal);
        Assert.Contains("step[0]", error, StringComparison.Ordinal);
        Assert.Contains("step[1]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_NamesEqualAfterSanitising_AreDuplicates() =>
        Assert.Contains("duplicate step name \"buildall\"", PlanError(Task(false, Step("build-all"), Step("build all!"))), StringComparison.Ordinal);

    [Fact]
    public void Plan_EmptyNames_GetTaskIdAndPosition()
    {
        var plan = PlanOk(Task(false, Step(null), Step(""), Step("--"), Step("named")));
        Assert.Equal(["t1-1", "t1-2", "t1-3", "named"], plan.Steps.Select(s => s.Name));
    }

    [Fact]
    public void Plan_Names_AreSanitised() =>
        Assert.Equal("etcpasswd", PlanOk(Task(false, Step("../etc/passwd"))).Steps[0].Name);

    [Fact]
    public void Plan_UnknownDependsOn_NamesTheUnknownStep()
    {
        var error = PlanError(Task(true, Step("a"), Step("b", dependsOn: ["nosuch"])));
        Assert.Contains("\"b\"", error, StringComparison.Ordinal);
        Assert.Contains("unknown step \"nosuch\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SelfDependency_IsRefused() =>
        Assert.Contains("itself", PlanError(Task(true, Step("a", dependsOn: ["a"]))), StringComparison.Ordinal);

    [Fact]
    public void Plan_Cycle_MessageNamesTheStepsOfTheCycle()
    {
        var error = PlanError(Task(true,
            Step("start"),
            Step("alpha", dependsOn: ["start", "gamma"]),
            Step("beta", dependsOn: ["alpha"]),
            Step("gamma", dependsOn: ["beta"])));
        Assert.Contains("cycle", error, StringComparison.Ordinal);
        foreach (var name in new[] { "alpha", "beta", "gamma" })
        {
            Assert.Contains(name, error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("start", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_TwoStepCycle_IsRefused() =>
        Assert.Matches(@"cycle: (a -> b -> a|b -> a -> b)", PlanError(Task(true, Step("a", dependsOn: ["b"]), Step("b", dependsOn: ["a"]))));

    [Fact]
    public void Plan_NotAsync_ChainsStepsInArrayOrderWhateverDependsOnSays()
    {
        var plan = PlanOk(Task(false, Step("a", dependsOn: ["c"]), Step("b", dependsOn: ["nosuch"]), Step("c", dependsOn: ["a"])));
        Assert.Equal(["a", "b", "c"], plan.Steps.Select(s => s.Name));
        Assert.Empty(plan.Steps[0].DependsOn);
        Assert.Equal(["a"], plan.Steps[1].DependsOn);
        Assert.Equal(["b"], plan.Steps[2].DependsOn);
    }

    [Fact]
    public void Plan_Async_KeepsTheDagAndDropsRepeatedDependencies()
    {
        var plan = PlanOk(Task(true, Step("a"), Step("b"), Step("c", dependsOn: ["a", "b", "a", "b!"])));
        Assert.Empty(plan.Steps[0].DependsOn);
        Assert.Empty(plan.Steps[1].DependsOn);
        Assert.Equal(["a", "b"], plan.Steps[2].DependsOn);
    }

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("=value")]
    [InlineData("")]
    public void Plan_BadStepEnvEntry_NamesTheEntry(string entry)
    {
        var error = PlanError(Task(false, Step("a", env: [entry])));
        Assert.Contains("step[0].env_vars", error, StringComparison.Ordinal);
        Assert.Contains($"\"{entry}\"", error, StringComparison.Ordinal);
        Assert.Contains("NAME=value", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BadTaskEnvEntry_IsRefused()
    {
        var spec = Task(false, Step("a")) with { EnvVars = ["OK=1", "broken"] };
        Assert.Contains("env_vars: entry \"broken\"", PlanError(spec), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_EnvValueWithEqualsAndEmptyValue_IsAccepted() =>
        Assert.Equal(["A=b=c", "EMPTY="], PlanOk(Task(false, Step("a", env: ["A=b=c", "EMPTY="]))).Steps[0].EnvVars);

    [Theory]
    [InlineData("SECRET:PW=a")]
    [InlineData("SECRET:PW=abc")]
    public void Plan_SecretShorterThanFourCharacters_IsRefusedNamingTheVariable(string entry)
    {
        var error = PlanError(Task(false, Step("a", env: [entry])));
        Assert.Contains("step[0].env_vars: secret PW is shorter than 4 characters", error, StringComparison.Ordinal);
        Assert.Contains("secret PW", PlanError(Task(false, Step("a")) with { EnvVars = [entry] }), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SecretOfFourCharactersOrEmpty_IsAccepted() =>
        Assert.Equal(["SECRET:PW=abcd", "SECRET:NONE="], PlanOk(Task(false, Step("a", env: ["SECRET:PW=abcd", "SECRET:NONE="]))).Steps[0].EnvVars);

    [Fact]
    public void Plan_ZeroStepTimeout_MustBePositive() =>
        Assert.Contains("step[0].timeout must be positive", PlanError(Task(false, Step("a", timeout: TimeSpan.Zero))), StringComparison.Ordinal);

    [Fact]
    public void Plan_NegativeTaskTimeout_MustBePositive() =>
        Assert.Contains("timeout must be positive", PlanError(Task(false, Step("a")) with { Timeout = TimeSpan.FromSeconds(-5) }), StringComparison.Ordinal);

    [Fact]
    public void Plan_TimeoutOverThirtyDays_IsRefused()
    {
        Assert.Contains("at most", PlanError(Task(false, Step("a", timeout: TimeSpan.FromDays(31)))), StringComparison.Ordinal);
        Assert.Contains("at most", PlanError(Task(false, Step("a")) with { Timeout = TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1) }), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_TimeoutAtTheBounds_IsAccepted()
    {
        var plan = PlanOk(Task(false, Step("a", timeout: TimeSpan.FromDays(30)), Step("b", timeout: TimeSpan.FromMilliseconds(1))) with { Timeout = TimeSpan.FromDays(30) });
        Assert.Equal(TimeSpan.FromDays(30), plan.Steps[0].Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1), plan.Steps[1].Timeout);
    }

    [Fact]
    public void Plan_TooManySteps_IsRefused()
    {
        var steps = Enumerable.Range(0, TaskPlanner.MaxSteps + 1).Select(i => Step($"s{i}")).ToArray();
        Assert.Contains($"at most {TaskPlanner.MaxSteps}", PlanError(Task(false, steps)), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_LongChainOfAThousandSteps_IsPlannedWithoutOverflow()
    {
        var steps = Enumerable.Range(0, TaskPlanner.MaxSteps).Select(i => Step($"s{i}", dependsOn: i == 0 ? null : [$"s{i - 1}"])).ToArray();
        Assert.Equal(TaskPlanner.MaxSteps, PlanOk(Task(true, steps)).Steps.Count);
    }

    [Fact]
    public void Plan_When_IsReadAndDefaultsToOnSuccess()
    {
        var plan = PlanOk(Task(true, Step("a"), Step("b", dependsOn: ["a"]) with { When = "ON_FAILURE" }, Step("c", dependsOn: ["a"]) with { When = "always" }));
        Assert.Equal([StepCondition.OnSuccess, StepCondition.OnFailure, StepCondition.Always], plan.Steps.Select(s => s.When));
    }

    [Fact]
    public void Plan_UnknownWhen_NamesTheFieldAndTheValues()
    {
        var error = PlanError(Task(true, Step("a"), Step("b", dependsOn: ["a"]) with { When = "sometimes" }));
        Assert.Contains("step[1].when", error, StringComparison.Ordinal);
        Assert.Contains("on_success, on_failure, always", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_OnFailureWithoutDependencies_IsRefused()
    {
        Assert.Contains("step[0].when: on_failure needs depends_on", PlanError(Task(false, Step("a") with { When = "on_failure" })), StringComparison.Ordinal);
        Assert.Equal(StepCondition.OnFailure, PlanOk(Task(false, Step("a"), Step("b") with { When = "on_failure" })).Steps[1].When);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Plan_MaxParallelBelowOne_NamesTheField(int value) =>
        Assert.Contains("max_parallel must be at least 1", PlanError(Task(true, Step("a")) with { MaxParallel = value }), StringComparison.Ordinal);
}
