namespace RemoteExecutor.Api.Follow;

/// <summary>What a <see cref="FollowEvent"/> carries.</summary>
public enum FollowEventKind
{
    /// <summary>The next console lines, in order, none sent before.</summary>
    Lines,

    /// <summary>Nothing new for a while: the transport sends something harmless so proxies keep the connection.</summary>
    KeepAlive,

    /// <summary>The step is final and every stored line was sent; the stream closes after it.</summary>
    End,
}
