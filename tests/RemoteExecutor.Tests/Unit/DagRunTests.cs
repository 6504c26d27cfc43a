using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class DagRunTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static StepView Pending(string name, params string[] dependsOn) =>
        new() { Spec = new StepSpec { Name = name, CommandType = "bash", CommandContent = "true", DependsOn = dependsOn } };

    private static void Finish(DagRun dag, string step, ExecState state = ExecState.Stop, int code = 0, string message = "") =>
        dag.Set(dag[step] with { State = state, Code = code, Message = message, StartedAt = Now, EndedAt = Now });

    private static void Start(DagRun dag, string step) => dag.Set(dag[step] with { StartedAt = Now });

    private static string[] Names(IEnumerable<StepSpec> steps) => [.. steps.Select(s => s.Name)];

    [Fact]
    public void Advance_Chain_StartsOnlyStepsWhoseDependenciesSucceeded()
    {
        var dag = new DagRun([Pending("a"), Pending("b", "a"), Pending("c", "b")]);
        Assert.Equal(["a"], Names(dag.Advance(Now)));
        Assert.Equal(ExecState.Running, dag["a"].State);
        Assert.Equal(ExecState.Pending, dag["b"].State);
        Assert.Empty(dag.Advance(Now));

        Finish(dag, "a");
        Assert.Equal(["b"], Names(dag.Advance(Now)));
        Finish(dag, "b");
        Assert.Equal(["c"], Names(dag.Advance(Now)));
        Finish(dag, "c");
        Assert.Empty(dag.Advance(Now));
        Assert.True(dag.IsFinished);
    }

    [Fact]
    public void Advance_FailedStep_SkipsDependantsTransitivelyNamingTheBlocker()
    {
        var dag = new DagRun([Pending("a"), Pending("b", "a"), Pending("c", "b"), Pending("other")]);
        Assert.Equal(["a", "other"], Names(dag.Advance(Now)));
        Finish(dag, "a", code: 3);

        Assert.Empty(dag.Advance(Now));
        Assert.Equal(ExecState.Skipped, dag["b"].State);
        Assert.Equal(ExecState.Skipped, dag["c"].State);
        Assert.Contains("dependency a did not succeed", dag["b"].Message, StringComparison.Ordinal);
        Assert.Contains("exit code: 3", dag["b"].Message, StringComparison.Ordinal);
        Assert.Contains("dependency b did not succeed", dag["c"].Message, StringComparison.Ordinal);
        Assert.Equal(Now, dag["c"].EndedAt);
        Assert.False(dag.IsFinished);
        Assert.Equal(ResultCode.InProgress, dag.ResultCode);

        Finish(dag, "other");
        Assert.True(dag.IsFinished);
        Assert.Equal(ResultCode.ExecutionFailed, dag.ResultCode);
        Assert.Equal(3, dag.Code);
    }

    [Theory]
    [InlineData(ExecState.Killed, "was killed")]
    [InlineData(ExecState.Timeout, "timed out")]
    [InlineData(ExecState.SystemError, "system error")]
    public void Advance_DependencyEndedBadly_SkipsWithWhatHappened(ExecState state, string said)
    {
        var dag = new DagRun([Pending("a"), Pending("b", "a")]);
        dag.Advance(Now);
        Finish(dag, "a", state, 255, "boom");
        dag.Advance(Now);
        Assert.Equal(ExecState.Skipped, dag["b"].State);
        Assert.Contains(said, dag["b"].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Advance_Diamond_JoinWaitsForBothBranches()
    {
        var dag = new DagRun([Pending("top"), Pending("left", "top"), Pending("right", "top"), Pending("bottom", "left", "right")]);
        Assert.Equal(["top"], Names(dag.Advance(Now)));
        Finish(dag, "top");
        Assert.Equal(["left", "right"], Names(dag.Advance(Now)));
        Finish(dag, "left");
        Assert.Empty(dag.Advance(Now));
        Assert.Equal(ExecState.Pending, dag["bottom"].State);
        Finish(dag, "right");
        Assert.Equal(["bottom"], Names(dag.Advance(Now)));
    }

    [Fact]
    public void Advance_DiamondWithOneFailedBranch_SkipsTheJoinButLetsTheOtherBranchRun()
    {
        var dag = new DagRun([Pending("top"), Pending("left", "top"), Pending("right", "top"), Pending("bottom", "left", "right")]);
        dag.Advance(Now);
        Finish(dag, "top");
        dag.Advance(Now);
        Finish(dag, "left", code: 1);
        Assert.Empty(dag.Advance(Now));
        Assert.Equal(ExecState.Skipped, dag["bottom"].State);
        Assert.Equal(ExecState.Running, dag["right"].State);
    }

    [Fact]
    public void SkipPending_TaskEnded_SkipsOnlyStepsThatDidNotStart()
    {
        var dag = new DagRun([Pending("a"), Pending("b", "a"), Pending("c")]);
        dag.Advance(Now);
        Finish(dag, "c");
        dag.SkipPending("skipped: the task was killed", Now);
        Assert.Equal(ExecState.Running, dag["a"].State);
        Assert.Equal(ExecState.Skipped, dag["b"].State);
        Assert.Equal("skipped: the task was killed", dag["b"].Message);
        Assert.Equal(ExecState.Stop, dag["c"].State);
    }

    [Fact]
    public void Summary_AllSucceeded_SaysSo()
    {
        var dag = new DagRun([Pending("a"), Pending("b", "a")]);
        dag.Advance(Now);
        Finish(dag, "a");
        dag.Advance(Now);
        Finish(dag, "b");
        Assert.Equal("all steps executed successfully", dag.Summary());
        Assert.Equal(ResultCode.Success, dag.ResultCode);
        Assert.Equal(0, dag.Code);
    }

    [Fact]
    public void Summary_Failure_NamesTheFailedStepsAndExitCodes()
    {
        var dag = new DagRun([Pending("a"), Pending("b"), Pending("c", "a")]);
        dag.Advance(Now);
        Finish(dag, "a", code: 2);
        Finish(dag, "b", ExecState.Timeout, 143, "timed out after 1s");
        dag.Advance(Now);
        var summary = dag.Summary();
        Assert.StartsWith("execution failed: ", summary, StringComparison.Ordinal);
        Assert.Contains("[Step: a; exit code: 2]", summary, StringComparison.Ordinal);
        Assert.Contains("[Step: b; timed out]", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("Step: c", summary, StringComparison.Ordinal);
        Assert.Equal(145, dag.Code);
    }

    [Fact]
    public void Summary_Running_NamesTheStartedSteps()
    {
        var dag = new DagRun([Pending("a"), Pending("b"), Pending("c", "a")]);
        Assert.Equal("pending: waiting to start", dag.Summary());
        Assert.Equal(ResultCode.Pending, dag.ResultCode);

        dag.Advance(Now);
        Assert.Equal(ResultCode.Pending, dag.ResultCode);
        Start(dag, "a");
        Assert.Equal("currently executing: [Step: a]", dag.Summary());
        Assert.Equal(ResultCode.InProgress, dag.ResultCode);
        Start(dag, "b");
        Assert.Equal("currently executing: [Step: a], [Step: b]", dag.Summary());
    }

    [Fact]
    public void Describe_EachFinalState_SaysWhatHappened()
    {
        var step = Pending("a");
        Assert.Equal("exit code: 7", DagRun.Describe(step with { State = ExecState.Stop, Code = 7 }));
        Assert.Equal("was killed", DagRun.Describe(step with { State = ExecState.Killed }));
        Assert.Equal("timed out", DagRun.Describe(step with { State = ExecState.Timeout }));
        Assert.Equal("was skipped", DagRun.Describe(step with { State = ExecState.Skipped }));
        Assert.Equal("system error: no tcsh", DagRun.Describe(step with { State = ExecState.SystemError, Message = "no tcsh" }));
    }

    [Fact]
    public void Recover_FromAcceptTimeState_AppliesWhatEndedAndStartsOnlyWhatNeverRan()
    {
        // The accept-time state a reactivated task reads: every step pending, no start times.
        var dag = new DagRun([Pending("first"), Pending("middle", "first"), Pending("last", "middle")]);
        var started = Now.AddMinutes(-20);
        dag.Recover("first", new StepProgress(true, Now.AddMinutes(-21), new StepOutcome(ExecState.Stop, 0, "", Now.AddMinutes(-21), started)));
        dag.Recover("middle", new StepProgress(true, started, null));
        dag.Recover("last", new StepProgress(false, null, null));

        Assert.Empty(dag.Advance(Now));
        Assert.Equal(ExecState.Running, dag["middle"].State);
        Assert.Equal(started, dag["middle"].StartedAt);
        Assert.Equal("currently executing: [Step: middle]", dag.Summary());

        Assert.True(dag.Apply("middle", new StepOutcome(ExecState.Stop, 0, "", null, Now)));
        Assert.Equal(started, dag["middle"].StartedAt);
        Assert.False(dag.Apply("middle", new StepOutcome(ExecState.SystemError, 255, "late", null, Now)));
        Assert.Equal(["last"], Names(dag.Advance(Now)));
    }

    [Fact]
    public void Started_OnlyForADispatchedUnfinishedStep()
    {
        var dag = new DagRun([Pending("a"), Pending("b", "a")]);
        Assert.False(dag.Started("a", Now));
        dag.Advance(Now);
        Assert.True(dag.Started("a", Now));
        Assert.Equal(Now, dag["a"].StartedAt);
        Finish(dag, "a");
        Assert.False(dag.Started("a", Now.AddHours(1)));
        Assert.Equal(Now, dag["a"].StartedAt);
    }
}
