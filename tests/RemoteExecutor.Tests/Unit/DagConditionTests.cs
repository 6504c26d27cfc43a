using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

/// <summary>DagRun's controls: <c>when</c> conditions, a bound on parallel steps, and held (paused) steps.</summary>
public sealed class DagConditionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static StepView Pending(string name, StepCondition when = StepCondition.OnSuccess, params string[] dependsOn) =>
        new() { Spec = new StepSpec { Name = name, CommandType = "bash", CommandContent = "true", DependsOn = dependsOn, When = when } };

    private static void Finish(DagRun dag, string step, ExecState state = ExecState.Stop, int code = 0) =>
        Assert.True(dag.Apply(step, new StepOutcome(state, code, "", Now, Now)));

    private static string[] Names(IEnumerable<StepSpec> steps) => [.. steps.Select(s => s.Name)];

    /// <summary>a -> (b fails, c succeeds) -> d always; e on_failure of b; f on_failure of c; g after f.</summary>
    private static DagRun Diamond() => new([
        Pending("a"),
        Pending("b", StepCondition.OnSuccess, "a"),
        Pending("c", StepCondition.OnSuccess, "a"),
        Pending("d", StepCondition.Always, "b", "c"),
        Pending("e", StepCondition.OnFailure, "b"),
        Pending("f", StepCondition.OnFailure, "c"),
        Pending("g", StepCondition.OnSuccess, "f"),
    ]);

    [Fact]
    public void Advance_DiamondWithAFailure_RunsAlwaysAndOnFailureStepsAndSkipsTheRestByCondition()
    {
        var dag = Diamond();
        Assert.Equal(["a"], Names(dag.Advance(Now)));
        Finish(dag, "a");
        Assert.Equal(["b", "c"], Names(dag.Advance(Now)));
        Finish(dag, "b", code: 2);

        // d waits for c although b failed; e reacts to b at once.
        Assert.Equal(["e"], Names(dag.Advance(Now)));
        Assert.Equal(ExecState.Pending, dag["d"].State);
        Finish(dag, "c");
        Assert.Equal(["d"], Names(dag.Advance(Now)));
        Assert.Equal(ExecState.Skipped, dag["f"].State);
        Assert.True(dag["f"].ConditionSkipped);
        Assert.Contains("on_failure", dag["f"].Message, StringComparison.Ordinal);
        Assert.Equal(ExecState.Skipped, dag["g"].State);
        Assert.True(dag["g"].ConditionSkipped);

        Finish(dag, "d");
        Finish(dag, "e");
        Assert.True(dag.IsFinished);
        // b's failure fails the task even though its on_failure step succeeded.
        Assert.Equal(ResultCode.ExecutionFailed, dag.ResultCode);
        Assert.Contains("[Step: b; exit code: 2]", dag.Summary(), StringComparison.Ordinal);
        Assert.DoesNotContain("Step: f", dag.Summary(), StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_NoFailure_OnFailureStepSkippedWithoutFailingTheTask()
    {
        var dag = new DagRun([Pending("a"), Pending("rescue", StepCondition.OnFailure, "a"), Pending("after", StepCondition.OnSuccess, "rescue"), Pending("end", StepCondition.Always, "after")]);
        dag.Advance(Now);
        Finish(dag, "a");
        Assert.Equal(["end"], Names(dag.Advance(Now)));
        Assert.True(dag["rescue"].ConditionSkipped);
        Assert.True(dag["after"].ConditionSkipped);
        Finish(dag, "end");

        Assert.True(dag.IsFinished);
        Assert.Equal(ResultCode.Success, dag.ResultCode);
        Assert.StartsWith("all steps executed successfully", dag.Summary(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExecState.Killed)]
    [InlineData(ExecState.Timeout)]
    [InlineData(ExecState.SystemError)]
    public void Advance_DependencyEndedBadly_RunsOnFailureStep(ExecState how)
    {
        var dag = new DagRun([Pending("a"), Pending("rescue", StepCondition.OnFailure, "a")]);
        dag.Advance(Now);
        Finish(dag, "a", how, 255);
        Assert.Equal(["rescue"], Names(dag.Advance(Now)));
    }

    [Fact]
    public void Advance_FailureUpstreamOfASkippedDependency_RunsOnFailureStep()
    {
        var dag = new DagRun([Pending("a"), Pending("b", StepCondition.OnSuccess, "a"), Pending("rescue", StepCondition.OnFailure, "b")]);
        dag.Advance(Now);
        Finish(dag, "a", code: 1);
        Assert.Equal(["rescue"], Names(dag.Advance(Now)));
        Assert.False(dag["b"].ConditionSkipped);
    }

    [Fact]
    public void Advance_WithCapacity_StartsAtMostThatManyInSubmissionOrder()
    {
        var dag = new DagRun([Pending("a"), Pending("b"), Pending("c"), Pending("d")]);
        Assert.Equal(["a", "b"], Names(dag.Advance(Now, 2)));
        Assert.Equal(2, dag.Dispatched);
        Assert.Empty(dag.Advance(Now, 0));
        Finish(dag, "a");
        Assert.Equal(1, dag.Dispatched);
        Assert.Equal(["c"], Names(dag.Advance(Now, 1)));
        Assert.Equal(ExecState.Pending, dag["d"].State);
    }

    [Fact]
    public void Advance_ZeroCapacity_StillSkipsStepsThatCanNeverRun()
    {
        var dag = new DagRun([Pending("a"), Pending("b", StepCondition.OnSuccess, "a")]);
        dag.Advance(Now);
        Finish(dag, "a", code: 1);
        Assert.Empty(dag.Advance(Now, 0));
        Assert.Equal(ExecState.Skipped, dag["b"].State);
        Assert.True(dag.IsFinished);
    }

    [Fact]
    public void Hold_PendingStep_WaitsWhileOthersRunAndStartsOnRelease()
    {
        var dag = new DagRun([Pending("a"), Pending("b"), Pending("c", StepCondition.OnSuccess, "b")]);
        Assert.True(dag.Hold("b", "paused"));
        Assert.Equal(["a"], Names(dag.Advance(Now)));
        Assert.Equal(ExecState.Paused, dag["b"].State);
        Finish(dag, "a");
        Assert.Empty(dag.Advance(Now));
        Assert.False(dag.IsFinished);
        Assert.False(dag.Hold("a", "paused"));

        Assert.True(dag.Release("b"));
        Assert.False(dag.Release("b"));
        Assert.Equal(["b"], Names(dag.Advance(Now)));
    }

    [Fact]
    public void SkipPending_SkipsHeldStepsToo()
    {
        var dag = new DagRun([Pending("a"), Pending("b")]);
        dag.Hold("b", "paused");
        dag.Advance(Now);
        dag.SkipPending("skipped: the task was killed", Now);
        Finish(dag, "a", ExecState.Killed, 255);
        Assert.Equal(ExecState.Skipped, dag["b"].State);
        Assert.True(dag.IsFinished);
        Assert.Equal(ResultCode.ExecutionFailed, dag.ResultCode);
    }
}
