using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>What an operator sees at start: one "ready" line once the port answers, one clear line when start fails.</summary>
public sealed class StartupTests
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Runs the real binary to its end (or kills it at the deadline) and returns its exit code and output.</summary>
    private static async Task<(int Code, string Output)> RunToEndAsync(params string[] args)
    {
        var root = Directory.CreateTempSubdirectory("re-start-").FullName;
        try
        {
            var psi = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(ServerBinary.DllPath);
            psi.ArgumentList.Add("run");
            if (!args.Any(a => a.StartsWith("--root", StringComparison.Ordinal)))
            {
                psi.ArgumentList.Add($"--root={root}");
            }

            foreach (var arg in args)
            {
                psi.ArgumentList.Add(arg);
            }

            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(RunDeadline);
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                Assert.Fail($"the server did not stop on its own within {RunDeadline}:\n{await stdout}{await stderr}");
            }

            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task TakenHttpPort_OneLineNamingThePort_Exit1()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (code, output) = await RunToEndAsync($"--addr=127.0.0.1:{port}", $"--silo_port={ServerProcess.FreePort()}");

        Assert.Equal(1, code);
        var lines = Lines(output);
        Assert.True(lines.Length <= 2, $"expected one line, got:\n{output}");
        Assert.Contains($"port {port} (--addr)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TakenSiloPort_IsNoticed_NoSecondInstanceSharesIt()
    {
        await using var first = await ServerProcess.StartAsync();
        var siloPort = first.SiloPort;

        var (code, output) = await RunToEndAsync($"--addr=127.0.0.1:{ServerProcess.FreePort()}", $"--silo_port={siloPort}");

        Assert.Equal(1, code);
        Assert.Contains($"port {siloPort} (--silo_port)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnwritableRoot_OneLineNamingTheRoot_Exit1()
    {
        var file = Path.GetTempFileName();
        try
        {
            // A root below a regular file can never be created.
            var (code, output) = await RunToEndAsync($"--root={file}/root", $"--addr=127.0.0.1:{ServerProcess.FreePort()}", $"--silo_port={ServerProcess.FreePort()}");
            Assert.Equal(1, code);
            Assert.Contains("(--root) is not writable", output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Start_SaysReadyWithTheUrl_OnlyOnceThePortAnswers_AndWithoutWarnings()
    {
        await using var server = await ServerProcess.StartAsync();
        await Poll.UntilAsync(() => File.ReadAllText(server.LogPath).Contains(" ready: ", StringComparison.Ordinal), Poll.Short, "the ready line");
        var log = File.ReadAllText(server.LogPath);

        var lines = Lines(log);
        var ready = Assert.Single(lines, l => l.Contains(" ready: ", StringComparison.Ordinal));
        Assert.Contains($"http://127.0.0.1:{server.Port}/", ready, StringComparison.Ordinal);
        Assert.Contains("/scalar", ready, StringComparison.Ordinal);
        Assert.Contains("/dashboard", ready, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("[WRN]", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("] : ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("listening on", StringComparison.Ordinal));
    }
}
