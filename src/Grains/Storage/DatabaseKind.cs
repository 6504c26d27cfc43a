namespace RemoteExecutor.Grains.Storage;

public enum DatabaseKind
{
    Sqlite,
    PostgreSql,
}
