using RemoteExecutor.Grains.Dag;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

/// <summary>The retry schedule, which outcomes are retried, attempt ids, and the outputs file format.</summary>
public sealed class RetryAndOutputUnitTests
{
    private static StepOutcome Exit(int code) => new(ExecState.Stop, code, "", null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Backoff_DoublesFromTheBase_UpToTheCap()
    {
        var policy = new RetryPolicy { Limit = 10, Backoff = TimeSpan.FromSeconds(2), MaxBackoff = TimeSpan.FromSeconds(20) };
        Assert.Equal(
            [2, 4, 8, 16, 20, 20],
            Enumerable.Range(1, 6).Select(a => policy.DelayAfter(a).TotalSeconds).ToArray());
        Assert.Equal(TimeSpan.FromSeconds(20), policy.DelayAfter(100));
        Assert.Equal(TimeSpan.Zero, (policy with { Backoff = TimeSpan.Zero }).DelayAfter(3));
    }

    [Fact]
    public void Retries_OnlyFailuresTheFieldNames_WhileAttemptsRemain()
    {
        var policy = new RetryPolicy { Limit = 2 };
        Assert.True(policy.Retries(Exit(1), 1));
        Assert.True(policy.Retries(Exit(1), 2));
        Assert.False(policy.Retries(Exit(1), 3));
        Assert.False(policy.Retries(Exit(0), 1));
        Assert.False(policy.Retries(Exit(0) with { State = ExecState.Killed, Code = 255 }, 1));
        Assert.False(policy.Retries(Exit(0) with { State = ExecState.SystemError, Code = 255 }, 1));
        Assert.True(policy.Retries(Exit(0) with { State = ExecState.Timeout, Code = 255 }, 1));
        Assert.False((policy with { OnTimeout = false }).Retries(Exit(0) with { State = ExecState.Timeout, Code = 255 }, 1));

        var codes = policy with { OnExitCodes = [3, 75] };
        Assert.True(codes.Retries(Exit(75), 1));
        Assert.False(codes.Retries(Exit(1), 1));
        Assert.False((policy with { Limit = 0 }).Retries(Exit(1), 1));
    }

    [Fact]
    public void Attempts_HaveTheirOwnRunIdsAndConsoleKeys()
    {
        var run = Guid.NewGuid();
        Assert.Equal(run, StepAttempts.RunOf(run, 1));
        var ids = Enumerable.Range(1, 101).Select(a => StepAttempts.RunOf(run, a)).ToHashSet();
        Assert.Equal(101, ids.Count);
        Assert.Equal(StepAttempts.RunOf(run, 7), StepAttempts.RunOf(run, 7));
        Assert.Equal("build", StepAttempts.ConsoleKey("build", 1));
        Assert.Equal("build#3", StepAttempts.ConsoleKey("build", 3));
    }

    [Fact]
    public void OutputFile_KeepsKeyValueLines_IgnoresTheRestWithANote()
    {
        var (outputs, note) = StepOutputFile.Parse("a=1\r\nnot a line\n=nokey\nb c=2\nurl=x=y\n\na=2\n", truncated: false, v => v);
        Assert.Equal(["a=2", "url=x=y"], outputs);
        Assert.Equal("outputs: 3 lines not of the form KEY=VALUE ignored", note);

        var (none, quiet) = StepOutputFile.Parse("", truncated: false, v => v);
        Assert.Empty(none);
        Assert.Equal("", quiet);
    }

    [Fact]
    public void OutputFile_Truncated_DropsTheCutLine_AndMasks()
    {
        var (outputs, note) = StepOutputFile.Parse("k=secretvalue\ncut=par", truncated: true, v => v.Replace("secretvalue", "***", StringComparison.Ordinal));
        Assert.Equal(["k=***"], outputs);
        Assert.Contains("longer than 64 KiB", note, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputVariables_ComeFromEveryAncestor_WithSanitisedNames()
    {
        StepView View(string name, string[] deps, params string[] outputs) => new()
        {
            Spec = new StepSpec { Name = name, CommandType = "bash", CommandContent = "", DependsOn = deps },
            Outputs = outputs,
        };
        var dag = new DagRun([
            View("a", [], "my-key.x=1"),
            View("b", ["a"], "k=2"),
            View("side", [], "k=3"),
            View("c", ["b"]),
        ]);

        var variables = dag.OutputVariables(dag["c"].Spec);
        Assert.Equal(["TASK_OUTPUT_B_K=2", "TASK_OUTPUT_A_MY_KEY_X=1"], variables);
    }
}
