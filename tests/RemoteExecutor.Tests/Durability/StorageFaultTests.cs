using System.Net;
using RemoteExecutor.Tests.Harness;
using Xunit.Abstractions;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Durability;

/// <summary>
/// The database stops taking writes while the server runs (an immutable file, or a full disk): a submit is refused
/// with 500 and a plain message, nothing half-written shows, the server stays up, and it works again once the
/// storage is back.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class StorageFaultTests
{
    private readonly ITestOutputHelper _output;

    public StorageFaultTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("immutable")]
    [InlineData("diskfull")]
    public async Task Database_Unwritable_SubmitIs500_ServerStaysUp_AndRecoversWhenStorageIsBack(string fault)
    {
        var parent = Directory.CreateTempSubdirectory("re-storage-").FullName;
        var root = Path.Combine(parent, "root");
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        var mechanism = await ChooseMechanismAsync(fault, parent);
        _output.WriteLine($"simulating '{fault}' with: {mechanism}");
        var mounted = false;
        ServerProcess? server = null;
        var faulted = new List<string>();
        var passed = false;
        try
        {
            if (mechanism == "diskfull")
            {
                await RunOkAsync("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", data);
                mounted = true;
            }

            server = await ServerProcess.StartOnRootAsync(root);
            var warm = await server.Api.RunAsync(Ids.New("before"), Steps.Array(Steps.Of("echo fine")));
            Assert.Equal(0, warm.Code);

            // The fault.
            if (mechanism == "immutable")
            {
                faulted.AddRange(Directory.GetFiles(data, "remote_executor.db*").Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)));
                faulted.Add(data);
                foreach (var path in faulted)
                {
                    await RunOkAsync("chattr", "+i", path);
                }
            }
            else
            {
                // dd stops with "No space left on device" (exit 1): that is the point.
                var (_, ddOutput) = await RunAsync("dd", "if=/dev/zero", $"of={Path.Combine(data, "filler")}", "bs=4k");
                _output.WriteLine(ddOutput);
                var df = await RunOkAsync("df", "-k", data);
                _output.WriteLine(df);
                Assert.Contains("No space left", ddOutput, StringComparison.Ordinal);
            }

            foreach (var v2 in new[] { false, true })
            {
                var refusedId = Ids.New(v2 ? "refusedvtwo" : "refusedvone");
                var refused = v2
                    ? await server.Api.SubmitV2Async(new System.Text.Json.Nodes.JsonObject { ["id"] = refusedId, ["step"] = Steps.Array(Steps.Of("echo must-not-run")) })
                    : await server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo must-not-run")), $"id={refusedId}");
                _output.WriteLine($"submit during the fault: {refused}");
                Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
                AssertEnvelope(refused, "submit during a storage fault");
                Assert.Equal(500, refused.Code);
                Assert.False(string.IsNullOrWhiteSpace(refused.Message));
                foreach (var leak in new[] { parent, "/tmp", "remote_executor.db", "Data Source", "   at ", "--- End of", "Microsoft.Data", "Orleans." })
                {
                    Assert.DoesNotContain(leak, refused.Body, StringComparison.Ordinal);
                }

                Assert.Null(refused.Header("X-Task-ID"));

                var health = await server.Api.GetAsync("/healthyz");
                Assert.Equal(HttpStatusCode.OK, health.Status);
                Assert.True(server.Pid is not null, $"the server died on the storage fault:\n{server.ReadLog()}");

                var detail = await server.Api.DetailAsync(refusedId);
                Assert.True(detail.Status == HttpStatusCode.NotFound && detail.Code == 1003, $"refused task {refusedId} is visible: {detail}");
                Assert.Null(await ListedAsync(server.Api, refusedId));
                Assert.False(Directory.Exists(Path.Combine(root, "workspace", refusedId)), "the refused task got a workspace");
            }

            // Storage is back.
            await RestoreAsync(faulted, data);
            faulted.Clear();
            var afterId = Ids.New("after");
            var after = await server.Api.SubmitV1Async(Steps.Array(Steps.Of("echo storage-is-back", name: "only")), $"id={afterId}");
            Assert.True(after.Status == HttpStatusCode.OK && after.Code == 0, $"first submit after the storage came back was refused: {after}");
            var finished = await server.Api.WaitForFinalAsync(afterId);
            Assert.Equal(0, finished.Code);
            Assert.Equal(["storage-is-back"], TaskApi.Lines(await server.Api.ConsoleAsync(afterId, "only")));
            Assert.True(server.Pid is not null, "the server is gone");
            passed = true;
        }
        finally
        {
            await RestoreAsync(faulted, data);
            if (server is not null)
            {
                if (!passed)
                {
                    _output.WriteLine(server.ReadLog());
                }

                await server.DisposeAsync();
            }

            if (mounted)
            {
                var (code, _) = await RunAsync("umount", data);
                if (code != 0)
                {
                    await RunAsync("umount", "-l", data);
                }
            }

            try
            {
                Directory.Delete(parent, recursive: true);
            }
            catch (IOException)
            {
                // A leftover of a step; the OS cleans temp eventually.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }
    }

    private static async Task RestoreAsync(List<string> faulted, string data)
    {
        foreach (var path in faulted)
        {
            await RunAsync("chattr", "-i", path);
        }

        var filler = Path.Combine(data, "filler");
        if (File.Exists(filler))
        {
            File.Delete(filler);
        }
    }

    /// <summary>The wanted mechanism when this machine supports it, else the other one; fails loudly when neither works.</summary>
    private static async Task<string> ChooseMechanismAsync(string wanted, string scratch)
    {
        var immutable = await ImmutableWorksAsync(scratch);
        var tmpfs = await TmpfsWorksAsync(scratch);
        if (wanted == "immutable" && immutable.Ok)
        {
            return "immutable";
        }

        if (wanted == "diskfull" && tmpfs.Ok)
        {
            return "diskfull";
        }

        if (immutable.Ok)
        {
            return "immutable";
        }

        if (tmpfs.Ok)
        {
            return "diskfull";
        }

        Assert.Fail("cannot simulate an unwritable database on this machine: "
            + $"chattr +i: {immutable.Why}; mount -t tmpfs: {tmpfs.Why}. Run the tests as root on ext4/xfs (chattr) or with CAP_SYS_ADMIN (tmpfs).");
        return "";
    }

    private static async Task<(bool Ok, string Why)> ImmutableWorksAsync(string scratch)
    {
        if (!HostProcesses.OnPath("chattr"))
        {
            return (false, "chattr is not installed (e2fsprogs)");
        }

        var probe = Path.Combine(scratch, "immutable-probe");
        await File.WriteAllTextAsync(probe, "probe");
        var (code, output) = await RunAsync("chattr", "+i", probe);
        if (code != 0)
        {
            return (false, output);
        }

        try
        {
            await File.AppendAllTextAsync(probe, "write");
            return (false, "a write to an immutable file succeeded");
        }
        catch (UnauthorizedAccessException)
        {
            return (true, "");
        }
        catch (IOException)
        {
            return (true, "");
        }
        finally
        {
            await RunAsync("chattr", "-i", probe);
            File.Delete(probe);
        }
    }

    private static async Task<(bool Ok, string Why)> TmpfsWorksAsync(string scratch)
    {
        var dir = Path.Combine(scratch, "tmpfs-probe");
        Directory.CreateDirectory(dir);
        var (code, output) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir);
        if (code == 0)
        {
            await RunAsync("umount", dir);
        }

        Directory.Delete(dir);
        return (code == 0, output);
    }
}
