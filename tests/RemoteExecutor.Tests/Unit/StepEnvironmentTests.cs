using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Tests.Unit;

public sealed class StepEnvironmentTests
{
    [Fact]
    public void Apply_RemovesTheServiceVariablesButKeepsWhatTheSubmitterGave()
    {
        var env = new Dictionary<string, string?>
        {
            ["PATH"] = "/usr/bin",
            ["REMOTE_EXECUTOR_TOKEN"] = "secret-token",
            ["REMOTE_EXECUTOR_DATABASE"] = "Host=db;Password=pw",
            ["CREDENTIALS_DIRECTORY"] = "/run/credentials/remote-executor.service",
        };
        StepEnvironment.Apply(env, ["REMOTE_EXECUTOR_MODE=given", "SECRET:KEY=abcd"], new Dictionary<string, string> { ["TASK_ID"] = "t1" });

        Assert.Equal("/usr/bin", env["PATH"]);
        Assert.False(env.ContainsKey("REMOTE_EXECUTOR_TOKEN"));
        Assert.False(env.ContainsKey("REMOTE_EXECUTOR_DATABASE"));
        Assert.False(env.ContainsKey("CREDENTIALS_DIRECTORY"));
        Assert.Equal("given", env["REMOTE_EXECUTOR_MODE"]);
        Assert.Equal("abcd", env["KEY"]);
        Assert.Equal("t1", env["TASK_ID"]);
    }
}
