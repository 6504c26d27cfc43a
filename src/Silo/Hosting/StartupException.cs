namespace RemoteExecutor.Silo.Hosting;

/// <summary>A start-up failure the operator can fix: its message is the one line printed (port taken, root unwritable).</summary>
public sealed class StartupException : Exception
{
    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public StartupException()
    {
    }
}
