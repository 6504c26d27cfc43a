using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace RemoteExecutor.Grains.Storage;

/// <summary>
/// Hands out SQLite connections already set up for concurrent writers: a busy timeout (wait for the other
/// writer inside SQLite instead of failing, or sleeping 150 ms in the driver) and <c>synchronous=NORMAL</c>
/// (safe in WAL mode against process crashes) and <c>secure_delete</c>. Given to Orleans' ADO.NET providers and used by the read model.
/// </summary>
public sealed class SqliteDataSource : DbDataSource
{
    // secure_delete: freed pages (expired tasks, their secrets) are zeroed, not left readable in the file.
    private const string Setup = "PRAGMA busy_timeout=10000; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;";

    private readonly string _connectionString;

    public SqliteDataSource(string connectionString) => _connectionString = connectionString;

    public override string ConnectionString => _connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(_connectionString);

    protected override DbConnection OpenDbConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Setup;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    protected override ValueTask<DbConnection> OpenDbConnectionAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(OpenDbConnection());

    protected override DbCommand CreateDbCommand(string? commandText = null) =>
        new SqliteCommand(commandText, (SqliteConnection)OpenDbConnection());

    protected override DbBatch CreateDbBatch() => throw new NotSupportedException("batches are not used");
}
