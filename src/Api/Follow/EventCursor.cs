namespace RemoteExecutor.Api.Follow;

/// <summary>
/// Where a follower of the shared event log stands, allowing for ids that commit out of order. On PostgreSQL two
/// nodes draw event ids from one sequence and may commit them in another order, so a page can show id 12 while id 11
/// is not yet visible. The cursor therefore remembers every id it skipped below its high-water mark (a gap) for
/// <c>window</c>, so the follower can ask for those ids again; an id that turns up later is handed out then, once.
/// A gap that never fills (a rolled-back insert, an id burnt by a conflicting insert, or an event a filter excludes)
/// is forgotten after the window. Plain class: one per connection, not thread-safe.
/// </summary>
public sealed class EventCursor
{
    private readonly TimeSpan _window;
    private readonly int _maxGaps;
    private readonly TimeProvider _clock;

    // Skipped ids and the timestamp when each was first seen missing, oldest id first.
    private readonly SortedDictionary<long, long> _gaps = [];

    /// <param name="after">The last id already handed out (or skipped on purpose): the follower starts after it.</param>
    /// <param name="window">How long a skipped id is looked for again.</param>
    /// <param name="maxGaps">Most skipped ids remembered at once; beyond it the oldest are forgotten.</param>
    /// <param name="clock">Time source for the window.</param>
    public EventCursor(long after, TimeSpan window, int maxGaps, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGaps, 1);
        HighWater = after;
        _window = window;
        _maxGaps = maxGaps;
        _clock = clock;
    }

    /// <summary>The highest id handed out: the next forward read starts after it.</summary>
    public long HighWater { get; private set; }

    /// <summary>How many skipped ids are remembered now.</summary>
    public int GapCount => _gaps.Count;

    /// <summary>The skipped ids still worth asking for (at most <paramref name="max"/>, oldest first); expired ones are dropped.</summary>
    public IReadOnlyList<long> Gaps(int max)
    {
        var now = _clock.GetTimestamp();
        var expired = _gaps.Where(g => _clock.GetElapsedTime(g.Value, now) >= _window).Select(g => g.Key).ToList();
        foreach (var id in expired)
        {
            _gaps.Remove(id);
        }

        return _gaps.Keys.Take(max).ToList();
    }

    /// <summary>
    /// Takes rows read from the log (a re-read of gaps and/or a forward page after <see cref="HighWater"/>, each in id
    /// order) and returns those not handed out before, in the order given. Ids between the high-water mark and a new
    /// row that did not come are remembered as gaps.
    /// </summary>
    public IReadOnlyList<T> Take<T>(IEnumerable<T> rows, Func<T, long> id)
    {
        var news = new List<T>();
        var now = _clock.GetTimestamp();
        foreach (var row in rows)
        {
            var n = id(row);
            if (n > HighWater)
            {
                // Only the nearest ids matter (an id is drawn just before its commit); a long jump is old history.
                for (var skipped = Math.Max(HighWater + 1, n - _maxGaps); skipped < n; skipped++)
                {
                    _gaps[skipped] = now;
                }

                HighWater = n;
                news.Add(row);
            }
            else if (_gaps.Remove(n))
            {
                news.Add(row);
            }
        }

        while (_gaps.Count > _maxGaps)
        {
            _gaps.Remove(_gaps.Keys.First());
        }

        return news;
    }
}
