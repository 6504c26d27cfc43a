using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>A node's labels (<c>--label</c>, REMOTE_EXECUTOR_LABELS) as <c>GET /api/v1/nodes</c> shows them.</summary>
public sealed class NodeLabelsTests
{
    [Fact]
    public async Task Nodes_ShowTheLabelsOfTheFlagAndTheEnvironment()
    {
        await using var server = await ServerProcess.StartAsync(
            ["--label=role=web", "--label", "zone=eu-1"],
            new Dictionary<string, string> { ["REMOTE_EXECUTOR_LABELS"] = "ignored=because-flags-win" });
        var node = (await server.Api.GetAsync("/api/v1/nodes")).Data.GetProperty("nodes")[0];
        var labels = node.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["role"] = "web", ["zone"] = "eu-1" }, labels);

        await using var fromEnv = await ServerProcess.StartAsync(env: new Dictionary<string, string> { ["REMOTE_EXECUTOR_LABELS"] = "role=db, tier=2" });
        var envNode = (await fromEnv.Api.GetAsync("/api/v1/nodes")).Data.GetProperty("nodes")[0];
        Assert.Equal("db", envNode.GetProperty("labels").GetProperty("role").GetString());
        Assert.Equal("2", envNode.GetProperty("labels").GetProperty("tier").GetString());
    }
}
