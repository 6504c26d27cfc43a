using System.Net;
using RemoteExecutor.Silo.Hosting;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>Issue 19 item 1: only holders of the cluster key take part; no Orleans port obeys a stranger.</summary>
public sealed partial class ClusterTests
{
    [Fact]
    public async Task RogueSilo_SameDatabaseOwnCertificate_CannotJoinOrRunTasks()
    {
        var certDir = Directory.CreateTempSubdirectory("re-rogue-cert-").FullName;
        try
        {
            var (cert, key) = ClusterCertificate.Write(certDir, "rogue");
            string[] args = [$"--database={_cluster.Database.ConnectionString}", "--node=rogue", $"--token={_cluster.Token}", "--advertise=127.0.0.1",
                $"--cluster_cert={cert}", $"--cluster_key={key}"];

            // A silo that cannot reach the others never finishes starting: it gives up, or the harness does.
            ServerProcess? rogue = null;
            string rogueLog;
            try
            {
                rogue = await ServerProcess.StartAsync(args);
                rogueLog = rogue.ReadLog();
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                rogueLog = ex.Message;
            }

            await using (rogue)
            {
                Assert.DoesNotContain("remote_executor: error:", rogueLog, StringComparison.Ordinal);
                foreach (var server in _cluster.All)
                {
                    var nodes = await server.Api.GetAsync("/api/v1/nodes");
                    var names = nodes.Data.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()).ToList();
                    Assert.DoesNotContain("rogue", names);
                }

                var refused = await A.Api.SubmitV1Async(Steps.Array(Steps.Of("echo ran > /tmp/never")), $"id={Ids.New("torogue")}&node=rogue");
                Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
                Assert.Contains("rogue", refused.Message, StringComparison.Ordinal);
            }

            var id = Ids.New("stillok");
            await A.Api.SubmitOkAsync(id, Steps.Array(Steps.Of("echo $TASK_NODE", name: "s")), "node=c");
            Assert.Equal(0, (await B.Api.WaitForFinalAsync(id, TaskDeadline)).Code);
            Assert.Equal(["c"], TaskApi.Lines(await B.Api.ConsoleAsync(id, "s")));
        }
        finally
        {
            Directory.Delete(certDir, recursive: true);
        }
    }

    [Fact]
    public async Task RogueOrleansClient_EveryOrleansPortOfANode_CannotCallAGrain()
    {
        var ports = ListeningSockets.Of(A.Pid!.Value).Where(e => e.Port != A.Port).Select(e => e.Port).Distinct().ToList();
        Assert.Contains(A.SiloPort, ports);
        using var foreign = ClusterCertificate.Create("stranger", TimeSpan.FromDays(1));
        foreach (var port in ports)
        {
            Assert.NotEqual("called", await RogueClient.TryCallAsync(port));
            Assert.NotEqual("called", await RogueClient.TryCallAsync(port, foreign));
        }
    }
}
