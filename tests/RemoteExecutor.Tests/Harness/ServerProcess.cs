using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using RemoteExecutor.Testing;

namespace RemoteExecutor.Tests.Harness;

/// <summary>
/// The real <c>remote_executor</c> binary as a child process: own root, own ports, output captured to a file.
/// Start waits for <c>GET /healthyz</c>; Stop sends SIGTERM, Kill sends SIGKILL, Restart starts again on the same root.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    /// <summary>How long a start may take before the test fails with the server's log.</summary>
    public static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);

    /// <summary>How long a SIGTERM may take before the server is killed (its own shutdown timeout is 30 s).</summary>
    public static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(45);

        private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly string[] _extraArgs;
    private readonly IReadOnlyDictionary<string, string> _extraEnv;
    private readonly bool _ownsRoot;
    private Process? _process;
    private int _starts;

    static ServerProcess()
    {
        // Last line of defence: a test host that exits without disposing leaves no server behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Running.Values)
            {
                TryKill(process);
            }
        };
    }

    private ServerProcess(string root, bool ownsRoot, string[] extraArgs, IReadOnlyDictionary<string, string> extraEnv, bool tokenFromFile)
    {
        Root = root;
        _ownsRoot = ownsRoot;
        _extraEnv = extraEnv;
        _tokenFromFile = tokenFromFile;
        var chooses = tokenFromFile || extraArgs.Any(a => a.StartsWith("--token", StringComparison.Ordinal) || a.StartsWith("--insecure", StringComparison.Ordinal));
        Token = chooses ? null : "test" + Guid.NewGuid().ToString("N");
        _extraArgs = Token is null ? extraArgs : [$"--token={Token}", .. extraArgs];
    }

    private readonly bool _tokenFromFile;

    /// <summary>
    /// The API token the client sends: one the harness picked and passed with <c>--token</c>, or (token-file mode) the
    /// one the server wrote to <c>&lt;root&gt;/data/token</c>; null when the test chose its own <c>--token</c> or <c>--insecure</c>.
    /// </summary>
    public string? Token { get; private set; }

    /// <summary>The server's <c>--root</c>.</summary>
    public string Root { get; }

    /// <summary>Orleans silo port of the current run.</summary>
    public int SiloPort { get; private set; }

    /// <summary>HTTP port of the current run.</summary>
    public int Port { get; private set; }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Client of the current run (redirects are not followed, so tests see them).</summary>
    public HttpClient Http { get; private set; } = new();

    /// <summary>Typed helpers over <see cref="Http"/>.</summary>
    public TaskApi Api { get; private set; } = null!;

    /// <summary>Where the server's stdout and stderr go (appended across restarts).</summary>
    public string LogPath => Path.Combine(Root, "server-output.log");

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Starts a server on a fresh temporary root.</summary>
    public static Task<ServerProcess> StartAsync(string[]? extraArgs = null, IReadOnlyDictionary<string, string>? env = null, bool tokenFromFile = false) =>
        LaunchNewAsync(new ServerProcess(Directory.CreateTempSubdirectory("re-test-").FullName, ownsRoot: true, extraArgs ?? [], env ?? new Dictionary<string, string>(), tokenFromFile));

    /// <summary>
    /// Starts a server on a root the test chooses and keeps (for tests that watch the root's parent directory or put
    /// its <c>data/</c> on a special mount before the first start).
    /// </summary>
    public static Task<ServerProcess> StartOnRootAsync(string root, params string[] extraArgs) =>
        LaunchNewAsync(new ServerProcess(root, ownsRoot: false, extraArgs, new Dictionary<string, string>(), tokenFromFile: false));

    private static async Task<ServerProcess> LaunchNewAsync(ServerProcess server)
    {
        try
        {
            await server.LaunchAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Stops (SIGTERM) or kills (SIGKILL) the current run, then starts again on the same root.</summary>
    public async Task RestartAsync(bool kill)
    {
        if (kill)
        {
            await KillAsync();
        }
        else
        {
            await StopAsync();
        }

        await LaunchAsync();
    }

    /// <summary>SIGTERM, then waits for the exit (SIGKILL after <see cref="StopDeadline"/>). Returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (_process is not { } process)
        {
            return -1;
        }

        await ServerLauncher.StopAsync(process, StopDeadline, entireTree: false);
        return Forget(process);
    }

    /// <summary>SIGKILL: the server gets no chance to clean up.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        TryKill(process);
        await process.WaitForExitAsync();
        Forget(process);
    }

    /// <summary>Whether the server's whole captured output contains <paramref name="text"/>.</summary>
    public bool LogContains(string text) => LogCount(text) > 0;

    /// <summary>How often <paramref name="text"/> occurs in the server's whole captured output.</summary>
    public int LogCount(string text)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var log = reader.ReadToEnd();
            var count = 0;
            for (var at = log.IndexOf(text, StringComparison.Ordinal); at >= 0; at = log.IndexOf(text, at + text.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The server's captured output, for failure messages.</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var text = reader.ReadToEnd();
            return text.Length > 8000 ? "...\n" + text[^8000..] : text;
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            // Graceful: the server kills the steps still running; then nothing it started may outlive the test.
            await StopAsync();
        }

        await HostProcesses.KillStepGroupsUnderAsync(Root);

        Http.Dispose();
        KeepLog();
        if (_ownsRoot && Environment.GetEnvironmentVariable("RE_TEST_KEEP_ROOTS") is null)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A step's leftover file; the temp dir is cleaned by the OS eventually.
            }
            catch (UnauthorizedAccessException)
            {
                // Same as above.
            }
        }
    }

    /// <summary>Copies the server's output next to the test binaries (server-logs/), where it outlives the temporary root.</summary>
    private void KeepLog()
    {
        try
        {
            if (File.Exists(LogPath))
            {
                var dir = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "server-logs")).FullName;
                File.Copy(LogPath, Path.Combine(dir, Path.GetFileName(Root) + ".log"), overwrite: true);
            }
        }
        catch (IOException)
        {
            // Diagnostics only.
        }
    }

    private async Task LaunchAsync()
    {
        Port = FreePort();
        var siloPort = FreePort();
        SiloPort = siloPort;
        _starts++;
        File.AppendAllText(LogPath, $"===== start #{_starts} at {DateTimeOffset.Now:O} on port {Port}\n");

        // A test may give its own --addr; "{port}" in it stands for this run's port (the client still uses 127.0.0.1).
        var addr = _extraArgs.FirstOrDefault(a => a.StartsWith("--addr=", StringComparison.Ordinal));
        string[] arguments =
        [
            addr is null ? $"--addr=127.0.0.1:{Port}" : addr.Replace("{port}", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            $"--silo_port={siloPort}",
            .. _extraArgs.Where(a => !ReferenceEquals(a, addr)),
        ];
        var process = ServerLauncher.Start(ServerBinary.DllPath, Root, LogPath, arguments, _extraEnv.ToDictionary(e => e.Key, e => (string?)e.Value));
        _process = process;
        Running[process.Id] = process;

        Http.Dispose();
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };
        if (Token is not null)
        {
            Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }

        Api = new TaskApi(Http);

        try
        {
            await ServerLauncher.WaitHealthyAsync(process, Http, StartDeadline, ReadLog, CancellationToken.None);
        }
        catch when (process.HasExited)
        {
            Forget(process);
            throw;
        }

        if (_tokenFromFile)
        {
            Token = (await File.ReadAllTextAsync(Path.Combine(Root, "data", "token"))).Trim();
            Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }
    }

    private int Forget(Process process)
    {
        Running.TryRemove(process.Id, out _);
        var code = process.HasExited ? process.ExitCode : -1;
        process.Dispose();
        if (ReferenceEquals(_process, process))
        {
            _process = null;
        }

        return code;
    }

    private static void TryKill(Process process) => ServerLauncher.TryKill(process, entireTree: false);

    /// <summary>A port nobody listens on right now (the OS hands out a free ephemeral one).</summary>
    public static int FreePort() => ServerLauncher.FreePort();
}
