using Npgsql;
using RemoteExecutor.Tests.Durability;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>
/// A fresh PostgreSQL database per test class (<c>re_&lt;random&gt;</c>), dropped afterwards. The server comes from
/// <c>REMOTE_EXECUTOR_TEST_PG</c> (what <c>ops/run-tests.sh</c> exports); without it, a private PostgreSQL is started
/// from <c>/usr/lib/postgresql/15/bin</c> when installed; else the tests fail and say how to get one.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string EnvVar = "REMOTE_EXECUTOR_TEST_PG";

    private const string PgBin = "/usr/lib/postgresql/15/bin";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _admin;
    private static string? _privateDir;
    private static int _users;

    private readonly string _admin0;

    private PostgresDatabase(string admin, string name, string connectionString)
    {
        _admin0 = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>Connection string to this database (what the servers get as <c>--database</c>).</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        Interlocked.Increment(ref _users);
        var admin = await AdminConnectionStringAsync();
        var name = "re_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new PostgresDatabase(admin, name, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_admin0);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The server is gone: nothing to drop.
        }

        // The last user of a private server stops it (a later class starts a new one).
        if (Interlocked.Decrement(ref _users) == 0)
        {
            await Gate.WaitAsync();
            try
            {
                if (_privateDir is { } dir && Volatile.Read(ref _users) == 0)
                {
                    StopPrivateServer(dir);
                    _privateDir = null;
                    _admin = null;
                }
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    /// <summary>The administrative connection string (database <c>postgres</c>), starting a private server if needed.</summary>
    public static async Task<string> AdminConnectionStringAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvVar) is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        await Gate.WaitAsync();
        try
        {
            return _admin ??= await StartPrivateServerAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> StartPrivateServerAsync()
    {
        if (!File.Exists(Path.Combine(PgBin, "initdb")))
        {
            throw new InvalidOperationException(
                $"the cluster tests need PostgreSQL: set {EnvVar} to a connection string (user with CREATE DATABASE), "
                + $"or install PostgreSQL 15 ({PgBin}), or simply run `bash ops/run-tests.sh`, which installs and starts one");
        }

        var dir = Directory.CreateTempSubdirectory("re-pg-").FullName;
        _privateDir = dir;
        if (AsRoot)
        {
            await DurabilityKit.RunOkAsync("chown", "postgres", dir);
        }

        var data = Path.Combine(dir, "data");
        await DurabilityKit.RunOkAsync(AsRoot ? "runuser" : Path.Combine(PgBin, "initdb"),
            AsRoot ? ["-u", "postgres", "--", Path.Combine(PgBin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres"] : ["-D", data, "-A", "trust", "-U", "postgres"]);
        var port = ServerProcess.FreePort();
        string[] start = ["-D", data, "-l", Path.Combine(dir, "log"), "-w", "-o",
            $"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={dir} -c max_connections=300 -c fsync=off", "start"];
        await DurabilityKit.RunOkAsync(AsRoot ? "runuser" : Path.Combine(PgBin, "pg_ctl"), AsRoot ? ["-u", "postgres", "--", Path.Combine(PgBin, "pg_ctl"), .. start] : start);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopPrivateServer(dir);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
    }

    private static bool AsRoot => Environment.UserName == "root";

    /// <summary>Stops a private server (synchronously: also used at process exit) and deletes its directory.</summary>
    private static void StopPrivateServer(string dir)
    {
        try
        {
            var data = Path.Combine(dir, "data");
            if (Directory.Exists(data))
            {
                var pgCtl = Path.Combine(PgBin, "pg_ctl");
                var psi = AsRoot
                    ? new System.Diagnostics.ProcessStartInfo("runuser", ["-u", "postgres", "--", pgCtl, "-D", data, "-m", "immediate", "-w", "stop"])
                    : new System.Diagnostics.ProcessStartInfo(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"]);
                psi.RedirectStandardOutput = true;
                psi.RedirectStandardError = true;
                using var stop = System.Diagnostics.Process.Start(psi);
                stop?.WaitForExit(20_000);
            }

            Directory.Delete(dir, recursive: true);
        }
        catch (Exception)
        {
            // Best effort (also runs at process exit).
        }
    }
}
