namespace RemoteExecutor.Grains.Storage;

/// <summary>The database could not be written or read; the operation changed nothing.</summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
