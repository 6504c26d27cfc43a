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

    public static Database ForSqliteFile(string path) =>
        new(DatabaseKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString());

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        return await DataSource.OpenConnectionAsync(cancellationToken);
    }
}
