using System.Diagnostics;

namespace RemoteExecutor.Tests.Harness;

/// <summary>The client commands of the real binary as a child process (<c>dotnet remote_executor.dll submit ...</c>).</summary>
public sealed class CliProcess : IDisposable
{
    /// <summary>Most a client command may take before the test fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Starts the CLI against <paramref name="server"/> (URL and token from the environment, as an operator sets them).</summary>
    public static CliProcess Start(ServerProcess? server, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ServerBinary.DllPath);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("REMOTE_EXECUTOR_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(name);
        }

        if (server is not null)
        {
            psi.Environment["REMOTE_EXECUTOR_URL"] = server.BaseAddress.ToString();
            psi.Environment["REMOTE_EXECUTOR_TOKEN"] = server.Token ?? "";
        }

        var process = Process.Start(psi)!;
        process.StandardInput.Close();
        return new CliProcess(process);
    }

    /// <summary>Runs to the end: exit code, stdout, stderr.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(ServerProcess? server, params string[] args)
    {
        using var cli = Start(server, args);
        return await cli.WaitAsync();
    }

    public async Task<(int Exit, string Out, string Err)> WaitAsync()
    {
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the CLI did not finish in {Deadline.TotalSeconds} s; output so far: {await _stdout} {await _stderr}");
        }

        return (_process.ExitCode, await _stdout, await _stderr);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
