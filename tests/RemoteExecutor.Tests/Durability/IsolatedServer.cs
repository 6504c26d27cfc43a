using System.Diagnostics;
using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Durability;

/// <summary>
/// The real binary on a root the test chooses (the harness's <see cref="ServerProcess"/> always makes its own):
/// for tests that watch the root's parent directory, or that put the root's <c>data/</c> on a special mount
/// before the first start. The caller owns the root; output goes to <c>&lt;root&gt;/server-output.log</c>.
/// </summary>
public sealed class IsolatedServer : IAsyncDisposable
{
    private readonly string[] _args;
    private Process? _process;

    private IsolatedServer(string root, string[] args)
    {
        Root = root;
        _args = args;
    }

    public string Root { get; }

    public string Token { get; } = "iso" + Guid.NewGuid().ToString("N");

    public int Port { get; private set; }

    public HttpClient Http { get; private set; } = new();

    public TaskApi Api { get; private set; } = null!;

    public string LogPath => Path.Combine(Root, "server-output.log");

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public static async Task<IsolatedServer> StartAsync(string root, params string[] args)
    {
        var server = new IsolatedServer(root, args);
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

    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd();
            return text.Length > 8000 ? "...\n" + text[^8000..] : text;
        }
        catch (IOException ex)
        {
            return $"(no log: {ex.Message})";
        }
    }

    /// <summary>SIGKILL and wait for the exit.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Http.Dispose();
    }

    private async Task LaunchAsync()
    {
        Port = ServerProcess.FreePort();
        File.AppendAllText(LogPath, $"===== start at {DateTimeOffset.Now:O} on port {Port}\n");
        var psi = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            WorkingDirectory = Root,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" >>\"$RE_TEST_LOG\" 2>&1");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(ServerBinary.DllPath);
        psi.ArgumentList.Add("run");
        psi.ArgumentList.Add($"--root={Root}");
        psi.ArgumentList.Add($"--addr=127.0.0.1:{Port}");
        psi.ArgumentList.Add($"--silo_port={ServerProcess.FreePort()}");
        psi.ArgumentList.Add($"--token={Token}");
        foreach (var arg in _args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["RE_TEST_LOG"] = LogPath;
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("REMOTE_EXECUTOR_DATABASE");
        psi.Environment.Remove("REMOTE_EXECUTOR_TOKEN");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the server");
        process.StandardInput.Close();
        _process = process;

        Http.Dispose();
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
            Timeout = TimeSpan.FromSeconds(120),
        };
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        Api = new TaskApi(Http);

        await Poll.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the server exited with code {process.ExitCode} during start-up; its output:\n{ReadLog()}");
                }

                try
                {
                    using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    using var answer = await Http.GetAsync(new Uri("/healthyz", UriKind.Relative), probe.Token);
                    return (answer.StatusCode == HttpStatusCode.OK, true);
                }
                catch (HttpRequestException)
                {
                    return (false, false);
                }
                catch (OperationCanceledException)
                {
                    return (false, false);
                }
            },
            ServerProcess.StartDeadline,
            _ => $"the server did not answer /healthyz within {ServerProcess.StartDeadline.TotalSeconds} s; its output:\n{ReadLog()}");
    }
}
