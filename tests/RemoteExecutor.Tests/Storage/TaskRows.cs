using System.Text;
using Microsoft.Data.Sqlite;

namespace RemoteExecutor.Tests.Storage;

/// <summary>
/// Counts, per table of a node's SQLite file, the rows that hold anything of one task: any text or binary column
/// containing the task id (grain keys, reminder grain ids, summary and console rows, and serialized state).
/// </summary>
public static class TaskRows
{
    /// <summary>Tables that are not task records: the query catalogue and the audit log (it has its own retention).</summary>
    private static readonly HashSet<string> NotTaskRecords = new(StringComparer.OrdinalIgnoreCase) { "OrleansQuery", "audit", "sqlite_sequence" };

    public static SqliteConnection Open(string root) => Open(root, SqliteOpenMode.ReadOnly);

    public static SqliteConnection Open(string root, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(root, "data", "remote_executor.db"),
            Mode = mode,
            Pooling = false,
        }.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Table name -> rows mentioning <paramref name="taskId"/> (every table is listed, zero counts included).</summary>
    public static Dictionary<string, int> Count(string root, string taskId)
    {
        using var connection = Open(root);
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var utf8 = Encoding.UTF8.GetBytes(taskId);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var table in tables.Where(t => !NotTaskRecords.Contains(t)))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = select.ExecuteReader();
            var count = 0;
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    if ((value is string s && s.Contains(taskId, StringComparison.Ordinal)) || (value is byte[] b && b.AsSpan().IndexOf(utf8) >= 0))
                    {
                        count++;
                        break;
                    }
                }
            }

            counts[table] = count;
        }

        return counts;
    }

    public static string Describe(Dictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"));
}
