using System.Diagnostics;
using System.Security.Cryptography;
using RemoteExecutor.Testing;

namespace RemoteExecutor.Bench;

/// <summary>
/// The real server binary, started on free ports in a temp root: <c>dotnet remote_executor.dll run ...</c>.
/// Its console goes to <c>&lt;root&gt;/server.out</c> (bash execs into dotnet, so the PID is the server's).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly bool _keep;

    private ServerProcess(Process process, string dll, string root, Uri url, string token, bool keep)
    {
        _process = process;
        Dll = dll;
        Root = root;
        Url = url;
        Token = token;
        _keep = keep;
    }

    /// <summary>The API token the server was given (servers without authentication ignore it).</summary>
    public string Token { get; }

    public string Root { get; }

    /// <summary>The server binary that was started.</summary>
    public string Dll { get; }

    public Uri Url { get; }

    public int Pid => _process.Id;

    public string LogPath => Path.Combine(Root, "server.out");

    /// <summary>Finds the repository root (the directory holding RemoteExecutor.sln) from the working directory or the binary.</summary>
    public static string? FindRepo()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RemoteExecutor.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>Builds src/Silo in Release when asked or when the binary is missing; returns the dll path or null.</summary>
    public static async Task<string?> EnsureBinaryAsync(string? repo, string? explicitDll, bool forceBuild, CancellationToken ct)
    {
        if (explicitDll is not null)
        {
            return File.Exists(explicitDll) ? explicitDll : null;
        }

        if (repo is null)
        {
            return null;
        }

        var dll = Path.Combine(repo, "src", "Silo", "bin", "Release", "net10.0", "remote_executor.dll");
        if (File.Exists(dll) && !forceBuild)
        {
            return dll;
        }

        Console.WriteLine($"[bench] building server: dotnet build {Path.Combine(repo, "src", "Silo")} -c Release");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo };
        foreach (var a in new[] { "build", Path.Combine(repo, "src", "Silo"), "-c", "Release", "-nologo", "-v", "q" })
        {
            psi.ArgumentList.Add(a);
        }

        using var build = Process.Start(psi)!;
        var stdout = build.StandardOutput.ReadToEndAsync(ct);
        var stderr = build.StandardError.ReadToEndAsync(ct);
        await build.WaitForExitAsync(ct);
        if (build.ExitCode != 0)
        {
            var output = (await stdout) + (await stderr);
            var lines = output.Split('\n');
            Console.Error.WriteLine("[bench] server build failed:");
            Console.Error.WriteLine(string.Join('\n', lines.TakeLast(20)));
            return null;
        }

        return File.Exists(dll) ? dll : null;
    }

    public static async Task<ServerProcess> StartAsync(string dll, int poolSize, bool keep, CancellationToken ct)
    {
        var root = Directory.CreateTempSubdirectory("re-bench-").FullName;
        var ports = ServerLauncher.FreePorts(3);
        var url = new Uri($"http://127.0.0.1:{ports[0]}/");

        // A fresh token through the environment (servers that predate authentication ignore it), and the
        // embedded SQLite store whatever the caller's environment says.
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var process = ServerLauncher.Start(dll, root, Path.Combine(root, "server.out"),
            [$"--addr=127.0.0.1:{ports[0]}", $"--silo_port={ports[1]}", $"--pool_size={poolSize}"],
            new Dictionary<string, string?> { ["REMOTE_EXECUTOR_TOKEN"] = token });
        var server = new ServerProcess(process, dll, root, url, token, keep);
        Console.WriteLine($"[bench] server pid {process.Id} at {url} root {root} pool_size {poolSize}");
        try
        {
            await server.WaitHealthyAsync(TimeSpan.FromSeconds(90), ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var sw = Stopwatch.StartNew();
        await ServerLauncher.WaitHealthyAsync(_process, http, timeout, () => LogTail(30), ct);
        Console.WriteLine($"[bench] server healthy after {sw.Elapsed.TotalSeconds:0.0} s");
    }

    public string LogTail(int lines)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogPath).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    internal sealed record LogSummary(int Warnings, int Errors, Dictionary<string, int> BySource, List<string> Samples);

    /// <summary>
    /// Counts log lines at warning level or above (Serilog's [WRN]/[ERR]/[FTL]) per source context, with the first
    /// line of each source as a sample.
    /// </summary>
    public LogSummary LogProblems()
    {
        int warnings = 0, errors = 0;
        var bySource = new Dictionary<string, int>();
        var samples = new List<string>();
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                var at = line.IndexOf("] ", StringComparison.Ordinal);
                var level = at > 4 ? line[(at - 4)..at] : "";
                if (level is "[ERR" or "[FTL")
                {
                    errors++;
                }
                else if (level == "[WRN")
                {
                    warnings++;
                }
                else
                {
                    continue;
                }

                var colon = line.IndexOf(": ", at, StringComparison.Ordinal);
                var source = colon > at ? line[(at + 2)..colon] : "?";
                var known = bySource.TryGetValue(source, out var n);
                bySource[source] = n + 1;
                if (!known && samples.Count < 8)
                {
                    samples.Add(line.Length > 500 ? line[..500] + "..." : line);
                }
            }
        }
        catch (IOException)
        {
        }

        return new LogSummary(warnings, errors, bySource, samples);
    }

    /// <summary>SIGTERM, up to 20 s of graceful shutdown, then kill of the whole tree; the temp root is removed unless kept.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                if (await ServerLauncher.StopAsync(_process, TimeSpan.FromSeconds(20), entireTree: true))
                {
                    Console.WriteLine($"[bench] server stopped (exit code {_process.ExitCode})");
                }
                else
                {
                    Console.Error.WriteLine("[bench] server did not stop within 20 s of SIGTERM; killed it");
                }
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process.Dispose();
        }

        if (_keep)
        {
            Console.WriteLine($"[bench] kept server root {Root}");
            return;
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"[bench] could not remove {Root}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            Console.Error.WriteLine($"[bench] could not remove {Root}: {ex.Message}");
        }
    }
}
