namespace RemoteExecutor.Grains.Dag;

/// <summary>The pauses of a task: who is held, until when, and which holds a moment has ended. Pure logic over the stored list.</summary>
public static class PauseBook
{
    /// <summary>The whole task is paused: no new step starts.</summary>
    public static bool TaskHeld(IReadOnlyList<PauseHold> holds) => holds.Any(h => h.Step is null);

    /// <summary>The hold of <paramref name="step"/> (null = of the task), if any.</summary>
    public static PauseHold? Find(IReadOnlyList<PauseHold> holds, string? step) => holds.FirstOrDefault(h => h.Step == step);

    /// <summary>Pauses <paramref name="step"/> (null = the task) until <paramref name="until"/>; a second pause replaces the first's end.</summary>
    public static void Hold(List<PauseHold> holds, string? step, DateTimeOffset? until)
    {
        if (Find(holds, step) is { } existing)
        {
            existing.Until = until;
            return;
        }

        holds.Add(new PauseHold { Step = step, Until = until });
    }

    /// <summary>Ends the pause of <paramref name="step"/> (null = the task); false when it was not paused.</summary>
    public static bool Release(List<PauseHold> holds, string? step) => holds.RemoveAll(h => h.Step == step) > 0;

    /// <summary>Removes and returns the holds whose time has come.</summary>
    public static IReadOnlyList<PauseHold> Expire(List<PauseHold> holds, DateTimeOffset now)
    {
        var ended = holds.Where(h => h.Until is { } until && until <= now).ToList();
        holds.RemoveAll(ended.Contains);
        return ended;
    }

    /// <summary>The earliest time a hold ends by itself; null when none has a duration.</summary>
    public static DateTimeOffset? NextDue(IReadOnlyList<PauseHold> holds) =>
        holds.Where(h => h.Until is not null).Select(h => h.Until!.Value).DefaultIfEmpty().Min() is var min && min != default ? min : null;

    /// <summary>Text for messages: " until 2026-12-01T08:00:00Z" or "".</summary>
    public static string UntilText(DateTimeOffset? until) => until is { } u ? $" until {Rfc3339.Format(u)}" : "";
}
