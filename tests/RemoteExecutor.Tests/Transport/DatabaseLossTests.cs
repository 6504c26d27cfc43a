using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Transport;

/// <summary>Issue 19 item 8: a SQLite file deleted or replaced under a running server is noticed, never silently re-created.</summary>
public sealed class DatabaseLossTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DatabaseFile_DeletedOrReplacedWhileRunning_HealthAndSubmitsAnswer503(bool replace)
    {
        await using var server = await ServerProcess.StartAsync();
        var db = Path.Combine(server.Root, "data", "remote_executor.db");
        if (replace)
        {
            File.Copy(db, db + ".copy");
            File.Move(db + ".copy", db, overwrite: true);
        }
        else
        {
            File.Delete(db);
        }

        var health = await Poll.UntilAsync(
            async () =>
            {
                var answer = await server.Api.GetAsync("/healthyz");
                return (answer.Status == HttpStatusCode.ServiceUnavailable, answer);
            },
            Poll.Short,
            last => $"/healthyz still answers {last} after the database file was {(replace ? "replaced" : "deleted")}");
        Assert.Contains(replace ? "replaced" : "deleted", health.Message, StringComparison.Ordinal);

        var submit = await server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo never")), $"id={Ids.New("lost")}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, submit.Status);
        Assert.Contains("database file", submit.Message, StringComparison.Ordinal);
        Assert.Equal(replace, File.Exists(db));
    }
}
