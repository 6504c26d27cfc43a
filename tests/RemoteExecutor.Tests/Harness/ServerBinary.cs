namespace RemoteExecutor.Tests.Harness;

/// <summary>Where the repository and the built <c>remote_executor.dll</c> are, for the configuration these tests were built with.</summary>
public static class ServerBinary
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private static readonly Lazy<string> Repo = new(FindRepoRoot);

    /// <summary>The folder holding <c>RemoteExecutor.sln</c>.</summary>
    public static string RepoRoot => Repo.Value;

    /// <summary>The server's entry assembly, run with <c>dotnet</c>.</summary>
    public static string DllPath
    {
        get
        {
            var path = Path.Combine(RepoRoot, "src", "Silo", "bin", Configuration, "net10.0", "remote_executor.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"the server is not built for {Configuration}: run dotnet build RemoteExecutor.sln -c {Configuration}", path);
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RemoteExecutor.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"RemoteExecutor.sln not found above {AppContext.BaseDirectory}");
    }
}
