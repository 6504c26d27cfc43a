using System.Reflection;
using Microsoft.Extensions.Logging;

namespace RemoteExecutor.Grains.Storage;

/// <summary>Applies the idempotent scripts of <c>ops/sql/&lt;dialect&gt;</c> (embedded in this assembly) at start-up.</summary>
public static partial class SchemaInstaller
{
    /// <summary>Advisory lock id taken while PostgreSQL scripts run, so silos starting together do not race.</summary>
    private const long PostgresLockId = 0x52454d4f5445;

    public static async Task InstallAsync(Database database, ILogger logger, CancellationToken cancellationToken = default)
    {
        var scripts = Scripts(database.ScriptFolder);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (database.Kind == DatabaseKind.PostgreSql)
        {
            await ExecuteAsync(connection, $"SELECT pg_advisory_lock({PostgresLockId})", cancellationToken);
        }

        try
        {
            foreach (var (name, text) in scripts)
            {
                if (database.Kind == DatabaseKind.Sqlite && name.EndsWith(ColumnsScript, StringComparison.Ordinal))
                {
                    await AddMissingColumnsAsync(connection, text, cancellationToken);
                }
                else
                {
                    await ExecuteAsync(connection, text, cancellationToken);
                }

                LogApplied(logger, name);
            }
        }
        finally
        {
            if (database.Kind == DatabaseKind.PostgreSql)
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({PostgresLockId})", CancellationToken.None);
            }
        }
    }

    /// <summary>SQLite has no <c>ADD COLUMN IF NOT EXISTS</c>: the statements of scripts so named run only for missing columns.</summary>
    private const string ColumnsScript = "-columns.sql";

    /// <summary>Runs each <c>ALTER TABLE t ADD COLUMN c ...</c> of <paramref name="script"/> whose column <c>t</c> lacks.</summary>
    private static async Task AddMissingColumnsAsync(System.Data.Common.DbConnection connection, string script, CancellationToken cancellationToken)
    {
        var code = string.Join('\n', script.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        foreach (var statement in code.Split(';').Select(s => s.Trim()).Where(s => s.Length > 0))
        {
            var match = AddColumn().Match(statement);
            if (!match.Success)
            {
                throw new InvalidOperationException($"a {ColumnsScript} script holds only ALTER TABLE ... ADD COLUMN statements, not: {statement}");
            }

            await using var check = connection.CreateCommand();
            check.CommandText = "SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = @column";
            foreach (var (name, value) in new[] { ("table", match.Groups[1].Value), ("column", match.Groups[2].Value) })
            {
                var p = check.CreateParameter();
                p.ParameterName = name;
                p.Value = value;
                check.Parameters.Add(p);
            }

            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                await ExecuteAsync(connection, statement, cancellationToken);
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex AddColumn();

    /// <summary>The scripts of one dialect, in file-name order.</summary>
    public static IReadOnlyList<(string Name, string Text)> Scripts(string folder)
    {
        var assembly = typeof(SchemaInstaller).Assembly;
        var prefix = $"{assembly.GetName().Name}.Sql.{folder}.";
        return
        [
            .. assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .Select(n => (n[prefix.Length..], Read(assembly, n))),
        ];
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 120;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Applied schema script {Script}")]
    private static partial void LogApplied(ILogger logger, string script);
}
