using RemoteExecutor.Samples.EchoPlugin;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Plugins;

/// <summary>
/// A server started with <c>--plugins</c> on a temp directory holding: the sample .NET plugin (<c>echo</c>), an
/// executable plugin written in bash (<c>bashkind</c>), a folder with a garbage dll (<c>broken</c>) and an executable
/// plugin whose folder name collides with the built-in <c>http</c> kind.
/// </summary>
public sealed class PluginServerFixture : IAsyncLifetime
{
    /// <summary>Printed by the bash plugin before it waits: a marker no other process has.</summary>
    public const string SleepMarker = "sleep 613.5";

    private ServerProcess? _server;

    public string PluginsDir { get; } = Directory.CreateTempSubdirectory("re-plugins-").FullName;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("the server did not start");

    public string EchoDll => Path.Combine(PluginsDir, "echo", "EchoPlugin.dll");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(PluginsDir, "echo"));
        File.Copy(typeof(EchoStepKind).Assembly.Location, EchoDll);

        Directory.CreateDirectory(Path.Combine(PluginsDir, "broken"));
        await File.WriteAllBytesAsync(Path.Combine(PluginsDir, "broken", "Broken.dll"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);

        // The step arrives as JSON on stdin; env vars as the environment. It prints both, then obeys command_content.
        WriteExecutable("bashkind", """
            #!/bin/bash
            read -r step
            echo "stdin: $step"
            echo "token: $TOKEN"
            echo "workspace: $TASK_WORKSPACE"
            echo "to stderr" >&2
            case "$step" in
              *'"command_content":"wait"'*) sleep 613.5 & wait ;;
              *'"command_content":"fail"'*) exit 4 ;;
            esac
            exit 0
            """);
        WriteExecutable("http", "#!/bin/sh\necho impostor\n");
        _server = await ServerProcess.StartAsync([$"--plugins={PluginsDir}"]);
    }

    private void WriteExecutable(string name, string text)
    {
        var dir = Path.Combine(PluginsDir, name);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "plugin");
        File.WriteAllText(path, text.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(PluginsDir, recursive: true);
    }
}
