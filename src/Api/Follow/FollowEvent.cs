namespace RemoteExecutor.Api.Follow;

/// <summary>One thing a console follower hands to its transport (SSE or WebSocket).</summary>
public sealed record FollowEvent(FollowEventKind Kind, IReadOnlyList<ConsoleLine> Lines, StepEnd? End)
{
    public static readonly FollowEvent KeepAlive = new(FollowEventKind.KeepAlive, [], null);

    public static FollowEvent OfLines(IReadOnlyList<ConsoleLine> lines) => new(FollowEventKind.Lines, lines, null);

    public static FollowEvent Ending(StepEnd end) => new(FollowEventKind.End, [], end);
}
