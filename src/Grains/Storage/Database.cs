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
        DataSource = kind == DatabaseKind.Sqlite ? new SqliteDataSource(connectionString) : NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>Connection source shared by Orleans' providers and the read model.</summary>
    public DbDataSource DataSource { get; }

    public DatabaseKind Kind { get; }

    public string ConnectionString { get; }

    /// <summary>The ADO.NET invariant Orleans uses for this database.</summary>
    public string OrleansInvariant => Kind == DatabaseKind.Sqlite ? "System.Data.SQLite" : "Npgsql";

    /// <summary>Folder of the schema scripts under <c>ops/sql</c>.</summary>
    public string ScriptFolder => Kind == DatabaseKind.Sqlite ? "sqlite" : "postgresql";

    /// <summary>
    /// The SQLite file, created here if missing. Connections afterwards open it read-write without create: a file
    /// deleted under a running server must fail loudly, never come back empty.
    /// </summary>
    public static Database ForSqliteFile(string path)
    {
        if (!File.Exists(path))
        {
            using var create = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            create.Open();
        }

        return new(DatabaseKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ToString());
    }

    /// <summary>Path of the SQLite file; null for PostgreSQL.</summary>
    public string? FilePath => Kind == DatabaseKind.Sqlite ? new SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    /// <summary>
    /// SQLite: copies the WAL into the database and empties it, so pages freed by an expiry (zeroed by
    /// <c>secure_delete</c>) replace their old images on disk instead of lingering in the WAL. No-op for PostgreSQL.
    /// </summary>
    public async Task TruncateWalAsync(CancellationToken cancellationToken = default)
    {
        if (Kind != DatabaseKind.Sqlite)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        return await DataSource.OpenConnectionAsync(cancellationToken);
    }
}
