using System.Net;
using Microsoft.Data.Sqlite;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Durability;

/// <summary>Key expiry is driven by one durable Orleans reminder per node (the dashboard's reminder table shows it).</summary>
[Collection(DurabilityCollection.Name)]
public sealed class ExpiryReminderTests
{
    [Fact]
    public async Task Start_RegistersOneExpiryReminderPerNode_ThatSurvivesARestartAndExpiresTasks()
    {
        await using var server = await ServerProcess.StartAsync(["--key_expire=3s", "--node=exp1"]);
        await Poll.UntilAsync(() => ExpiryReminders(server).Count == 1, Poll.Short, "no expiry reminder was registered");
        Assert.Equal(("re-node/exp1", 1000L), ExpiryReminders(server).Single());

        await server.RestartAsync(kill: true);
        var id = Ids.New("expr");
        await server.Api.RunAsync(id, Steps.Array(Steps.Of("echo done", name: "only")));
        await Poll.UntilAsync(async () => (await server.Api.DetailAsync(id)).Status == HttpStatusCode.NotFound, TimeSpan.FromSeconds(60), $"task {id} did not expire");
        Assert.Equal(("re-node/exp1", 1000L), ExpiryReminders(server).Single());
    }

    /// <summary>Grain and period (ms) of every reminder named <c>expiry</c>, read from the node's SQLite file.</summary>
    private static List<(string Grain, long Period)> ExpiryReminders(ServerProcess server)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(server.Root, "data", "remote_executor.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainId, Period FROM OrleansRemindersTable WHERE ReminderName = 'expiry'";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }
}
