namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>A request that failed: the message is what the user reads (the server's envelope message, or a hint).</summary>
public sealed class ClientException : Exception
{
    public ClientException()
    {
    }

    public ClientException(string message)
        : base(message)
    {
    }

    public ClientException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
