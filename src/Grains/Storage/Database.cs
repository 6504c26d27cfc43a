using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace RemoteExecutor.Grains.Storage;

/// <summary>The one database of a node: the SQLite file (embedded default) or the cluster's PostgreSQL.</summary>
public sealed class Database
{
    public Database(DatabaseKind kind, string connectionString)
    {
        Kind = kind;
        ConnectionString = connectionString;
    }

    public DatabaseKind Kind { get; }

    public string ConnectionString { get; }

    /// <summary>The ADO.NET invariant Orleans uses for this database.</summary>
    public string OrleansInvariant => Kind == DatabaseKind.Sqlite ? "System.Data.SQLite" : "Npgsql";

    /// <summary>Folder of the schema scripts under <c>ops/sql</c>.</summary>
    public string ScriptFolder => Kind == DatabaseKind.Sqlite ? "sqlite" : "postgresql";

    public static Database ForSqliteFile(string path) =>
        new(DatabaseKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString());

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Kind == DatabaseKind.Sqlite
            ? new SqliteConnection(ConnectionString)
            : new NpgsqlConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Kind == DatabaseKind.Sqlite)
            {
                // Wait for a competing writer (Orleans' own connections) instead of failing at once.
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
