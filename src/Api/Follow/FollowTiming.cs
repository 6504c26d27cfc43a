namespace RemoteExecutor.Api.Follow;

/// <summary>
/// How often a follower looks for new lines, when it sends a keep-alive, how many lines it reads at once, and how long
/// a client may take to accept one batch before its stream is cut off.
/// </summary>
/// <param name="Poll">Wait after an empty look while lines keep coming.</param>
/// <param name="IdlePoll">Longest wait between two looks: the wait doubles up to it while nothing comes.</param>
/// <param name="KeepAlive">Quiet time after which a keep-alive is sent.</param>
/// <param name="PageSize">Most lines read (and so held) at once per connection.</param>
/// <param name="StallCutOff">Longest a client may take to accept one batch; a slower (stalled) client is disconnected
/// and resumes by line number or event id.</param>
public sealed record FollowTiming(TimeSpan Poll, TimeSpan IdlePoll, TimeSpan KeepAlive, int PageSize, TimeSpan StallCutOff)
{
    public static readonly FollowTiming Default = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(15), 1000,
        TimeSpan.FromSeconds(30));
}
