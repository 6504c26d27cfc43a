using System.Runtime.CompilerServices;

namespace RemoteExecutor.Api.Follow;

/// <summary>
/// Follows one step's console in the shared store: the stored lines first, then new ones as they are committed, then
/// the step's end. It reads only the database (through <see cref="PageReader"/>) and the task's view (through
/// <see cref="StepReader"/>), so it works on any node of a cluster. Pull-based: a page is read only when the consumer
/// asks for the next event, so a connection never holds more than one page however slow its client is.
/// </summary>
public sealed class ConsoleFollower
{
    /// <summary>Stored lines from <c>fromLine</c> on, at most <c>limit</c>, in line order.</summary>
    public delegate Task<IReadOnlyList<ConsoleLine>> PageReader(long fromLine, int limit);

    /// <summary>The step as it stands now; null when its task no longer exists.</summary>
    public delegate Task<StepView?> StepReader();

    private readonly PageReader _readPage;
    private readonly StepReader _readStep;
    private readonly FollowTiming _timing;
    private readonly TimeProvider _clock;

    public ConsoleFollower(PageReader readPage, StepReader readStep, FollowTiming timing, TimeProvider clock)
    {
        _readPage = readPage;
        _readStep = readStep;
        _timing = timing;
        _clock = clock;
    }

    /// <summary>
    /// Events from line <paramref name="fromLine"/> on: each line exactly once and in order, then one
    /// <see cref="FollowEventKind.End"/> once the step is final and every stored line was handed out. The sequence
    /// stops without an end when the task disappears (expired or deleted).
    /// </summary>
    public async IAsyncEnumerable<FollowEvent> FollowAsync(long fromLine, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = Math.Max(1, fromLine);
        var wait = _timing.Poll;
        var quietSince = _clock.GetTimestamp();
        StepView? final = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await _readPage(next, _timing.PageSize);

            // While the step runs, its lines may be committed out of order (stdout and stderr queue separately):
            // take only the unbroken run from the next line, the rest comes again. Once the step is final every
            // line is committed, so a hole left then (a failed write) is skipped rather than waited for.
            var lines = final is null ? Unbroken(page, next) : page;
            if (lines.Count > 0)
            {
                next = lines[^1].Line + 1;
                wait = _timing.Poll;
                quietSince = _clock.GetTimestamp();
                yield return FollowEvent.OfLines(lines);
                continue;
            }

            if (final is not null)
            {
                yield return FollowEvent.Ending(StepEnd.Of(final));
                yield break;
            }

            var step = await _readStep();
            if (step is null)
            {
                yield break;
            }

            if (step.State.IsFinal())
            {
                // A step turns final only after its output is flushed: one more read (or a few pages) gets the rest.
                final = step;
                continue;
            }

            if (_clock.GetElapsedTime(quietSince) >= _timing.KeepAlive)
            {
                quietSince = _clock.GetTimestamp();
                yield return FollowEvent.KeepAlive;
            }

            await Task.Delay(wait, _clock, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, _timing.IdlePoll.Ticks));
        }
    }

    private static IReadOnlyList<ConsoleLine> Unbroken(IReadOnlyList<ConsoleLine> page, long next)
    {
        var count = 0;
        while (count < page.Count && page[count].Line == next + count)
        {
            count++;
        }

        return count == page.Count ? page : page.Take(count).ToList();
    }
}
