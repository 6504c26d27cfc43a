namespace RemoteExecutor.Api;

/// <summary>The request body is over the size limit.</summary>
public sealed class PayloadTooLargeException : Exception
{
    public PayloadTooLargeException()
        : base("request body too large")
    {
    }

    public PayloadTooLargeException(string message)
        : base(message)
    {
    }

    public PayloadTooLargeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
