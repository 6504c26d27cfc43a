using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RemoteExecutor.Testing;

/// <summary>
/// Starts the real <c>remote_executor</c> binary for the tests and the benchmark (this file is linked into both):
/// free ports, <c>dotnet remote_executor.dll run --root=...</c> with its output appended to a log file, the wait for
/// <c>GET /healthyz</c>, and the stop with SIGTERM, then SIGKILL.
/// </summary>
internal static class ServerLauncher
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A port nobody listens on right now (the OS hands out a free ephemeral one).</summary>
    public static int FreePort() => FreePorts(1)[0];

    /// <summary>Distinct free ports: all listeners are open at once, so the OS never hands out one twice.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
                listener.Dispose();
            }
        }
    }

    /// <summary>
    /// Starts <c>dotnet &lt;dll&gt; run --root=&lt;root&gt; &lt;arguments&gt;</c> with stdout and stderr appended to
    /// <paramref name="logPath"/>. The shell execs, so the pid is the server's. The caller's database and token
    /// variables are not passed on; <paramref name="environment"/> sets (or, with null, removes) variables after that.
    /// </summary>
    public static Process Start(string dll, string root, string logPath, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = root,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=$1; shift; exec \"$@\" >>\"$log\" 2>&1");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(logPath);
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add($"--root={root}");
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("REMOTE_EXECUTOR_DATABASE");
        psi.Environment.Remove("REMOTE_EXECUTOR_TOKEN");
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the server");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>
    /// Polls <c>GET /healthyz</c> through <paramref name="http"/> until it answers 200. Throws with the server's log
    /// (<paramref name="log"/>) when the process exits first or <paramref name="within"/> passes.
    /// </summary>
    public static async Task WaitHealthyAsync(Process process, HttpClient http, TimeSpan within, Func<string> log, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with code {process.ExitCode} during start-up; its output:\n{log()}");
            }

            try
            {
                using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                probe.CancelAfter(ProbeTimeout);
                using var answer = await http.GetAsync(new Uri("/healthyz", UriKind.Relative), probe.Token);
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening but not answering yet.
            }

            if (deadline.Elapsed > within)
            {
                throw new TimeoutException($"the server did not answer /healthyz with 200 within {within.TotalSeconds} s; its output:\n{log()}");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// SIGTERM, then waits up to <paramref name="grace"/> for the exit, then SIGKILL (of the process, or of its whole
    /// tree). Returns true when the server stopped by itself.
    /// </summary>
    public static async Task<bool> StopAsync(Process process, TimeSpan grace, bool entireTree)
    {
        if (process.HasExited)
        {
            return true;
        }

        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            if (term is not null)
            {
                await term.WaitForExitAsync();
            }
        }

        using var deadline = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            TryKill(process, entireTree);
            await process.WaitForExitAsync();
            return false;
        }
    }

    /// <summary>SIGKILL, quietly when the process is already gone.</summary>
    public static void TryKill(Process process, bool entireTree)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireTree);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }
}
