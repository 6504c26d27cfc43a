using System.Runtime.CompilerServices;

namespace RemoteExecutor.Api.Follow;

/// <summary>
/// Follows a task by looking at its view: first every event that already happened, then each new one as a later view
/// shows it, until the task is final. Reads only the task grain, so it works on any node.
/// </summary>
public sealed class TaskEventFollower
{
    /// <summary>The task as it stands now; null when it does not exist (any more).</summary>
    public delegate Task<TaskView?> ViewReader();

    private readonly ViewReader _readView;
    private readonly FollowTiming _timing;
    private readonly TimeProvider _clock;

    public TaskEventFollower(ViewReader readView, FollowTiming timing, TimeProvider clock)
    {
        _readView = readView;
        _timing = timing;
        _clock = clock;
    }

    /// <summary>Batches of new events (an empty batch is a keep-alive); ends after the task's final event.</summary>
    public async IAsyncEnumerable<IReadOnlyList<TaskEvent>> FollowAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        TaskView? seen = null;
        var quietSince = _clock.GetTimestamp();
        var wait = _timing.Poll;
        while (true)
        {
            var view = await _readView();
            if (view is null)
            {
                yield break;
            }

            var news = TaskEvents.Since(seen, view);
            seen = view;
            if (news.Count > 0)
            {
                quietSince = _clock.GetTimestamp();
                wait = _timing.Poll;
                yield return news;
            }
            else if (_clock.GetElapsedTime(quietSince) >= _timing.KeepAlive)
            {
                quietSince = _clock.GetTimestamp();
                yield return [];
            }

            if (view.State.IsFinal())
            {
                yield break;
            }

            await Task.Delay(wait, _clock, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _timing.IdlePoll.Ticks));
        }
    }
}
