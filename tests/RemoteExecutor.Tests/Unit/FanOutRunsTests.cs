using RemoteExecutor.Grains.Interfaces;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Tests.Unit;

public sealed class FanOutRunsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyList<NodeInfo> Live =
    [
        new("a", "", "Active") { Labels = new Dictionary<string, string> { ["role"] = "web" } },
        new("b", "", "Active") { Labels = new Dictionary<string, string> { ["role"] = "web" } },
        new("c", "", "Active") { Labels = new Dictionary<string, string> { ["role"] = "db" } },
    ];

    private static FanOutRuns Fan(FanOutTargets targets)
    {
        var (runs, error) = FanOutRuns.Select(targets, Live, Now);
        Assert.Null(error);
        return new FanOutRuns(targets, runs!);
    }

    private static TaskView Final(string node, int code) => new()
    {
        Id = FanOutKey.Of("t", node),
        Node = node,
        State = ExecState.Stop,
        Code = code,
        EndedAt = Now.AddSeconds(1),
        Message = code == 0 ? "all steps executed successfully" : $"execution failed: [Step: s; exit code: {code}]",
        Result = code == 0 ? ResultCode.Success : ResultCode.ExecutionFailed,
    };

    [Fact]
    public void Select_ByLabels_TakesTheMatchingLiveNodes_AndNamedNodesThatAreNotLiveEndUnreachable()
    {
        Assert.Equal(["a", "b"], Fan(new FanOutTargets { Labels = new Dictionary<string, string> { ["role"] = "web" } }).Runs.Select(r => r.Node));
        Assert.Equal(["a", "b", "c"], Fan(new FanOutTargets { All = true }).Runs.Select(r => r.Node));

        var named = Fan(new FanOutTargets { Nodes = ["c", "zz", "c"] });
        Assert.Equal(["c", "zz"], named.Runs.Select(r => r.Node));
        Assert.Equal(ExecState.Pending, named["c"].State);
        Assert.Equal(ExecState.SystemError, named["zz"].State);
        Assert.Equal("node zz unreachable", named["zz"].Message);
        Assert.True(named["zz"].Failed);
    }

    [Fact]
    public void Select_LabelsMatchingNoLiveNode_IsRefusedNamingTheSelector()
    {
        var (runs, error) = FanOutRuns.Select(new FanOutTargets { Labels = new Dictionary<string, string> { ["role"] = "cache" } }, Live, Now);
        Assert.Null(runs);
        Assert.Contains("targets.labels {role=cache}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_WithMaxParallel_NeverRunsMoreNodesAtOnce_AndStartsTheNextWhenOneEnds()
    {
        var fan = Fan(new FanOutTargets { All = true, MaxParallel = 2 });
        Assert.Equal(["a", "b"], fan.Next(hold: false, Now));
        Assert.Empty(fan.Next(hold: false, Now));
        Assert.True(fan.Apply("a", Final("a", 0)));
        Assert.Empty(fan.Next(hold: true, Now));
        Assert.Equal(["c"], fan.Next(hold: false, Now));
        Assert.Equal(ResultCode.InProgress, fan.Result);
        Assert.True(fan.Apply("b", Final("b", 0)));
        Assert.True(fan.Apply("c", Final("c", 0)));
        Assert.False(fan.Apply("c", Final("c", 3)));
        Assert.True(fan.IsFinished);
        Assert.Equal(ResultCode.Success, fan.Result);
        Assert.Equal("all 3 nodes executed successfully", fan.Summary());
    }

    [Fact]
    public void BudgetSpent_MaxErrorsZero_AFailureSkipsTheNodesNotStarted_AndTheTaskFails()
    {
        var fan = Fan(new FanOutTargets { All = true, MaxParallel = 1, MaxErrors = 0 });
        Assert.Equal(["a"], fan.Next(hold: false, Now));
        fan.Apply("a", Final("a", 1));
        Assert.True(fan.BudgetSpent);
        Assert.Empty(fan.Next(hold: false, Now));
        Assert.True(fan.SkipPending(fan.BudgetMessage(), Now));
        Assert.Equal([ExecState.Stop, ExecState.Skipped, ExecState.Skipped], fan.Runs.Select(r => r.State));
        Assert.Contains("max_errors 0", fan["b"].Message, StringComparison.Ordinal);
        Assert.True(fan.IsFinished);
        Assert.Equal(ResultCode.ExecutionFailed, fan.Result);
        Assert.Equal(1, fan.Code);
        Assert.StartsWith("execution failed on 1 of 3 nodes: [Node: a;", fan.Summary(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50, 1, false)]
    [InlineData(50, 2, true)]
    [InlineData(10, 1, true)]
    public void BudgetSpent_Percentage_IsOfTheNodesRoundedDown(int percent, int failures, bool spent)
    {
        var fan = Fan(new FanOutTargets { Nodes = ["a", "b", "c", "d"], MaxErrors = percent, MaxErrorsPercent = true });
        fan.Next(hold: false, Now);
        foreach (var node in new[] { "a", "b", "c" }.Take(failures))
        {
            fan.Fail(node, $"node {node} lost", Now);
        }

        Assert.Equal(spent, fan.BudgetSpent);
    }

    [Fact]
    public void Restart_ARunItsNodeNeverStored_StartsAgain()
    {
        var fan = Fan(new FanOutTargets { Nodes = ["a"] });
        fan.Next(hold: false, Now);
        fan.Restart("a");
        Assert.Equal(ExecState.Pending, fan["a"].State);
        Assert.Equal(ExecState.Pending, fan.LiveState);
        Assert.Equal(["a"], fan.Next(hold: false, Now));
    }
}
