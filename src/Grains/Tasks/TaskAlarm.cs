namespace RemoteExecutor.Grains.Tasks;

/// <summary>
/// A durable point in time of a task (a pause that ends by itself, a delayed start): a grain timer for precision
/// while the activation lives, and a reminder due at the same time that reactivates the task after a restart or a
/// collection. Whichever comes first does the work; the handler checks the state, so the other one finds nothing to do.
/// </summary>
internal sealed class TaskAlarm
{
    /// <summary>The reminder repeats until cleared: a tick whose handling failed is tried again a minute later.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private readonly Grain _grain;
    private readonly TimeProvider _clock;
    private readonly bool _keepAlive;
    private readonly string _reminder;
    private readonly Func<Task> _due;
    private IGrainTimer? _timer;
    private DateTimeOffset? _armedFor;

    public TaskAlarm(Grain grain, TimeProvider clock, bool keepAlive, string reminder, Func<Task> due)
    {
        _grain = grain;
        _clock = clock;
        _keepAlive = keepAlive;
        _reminder = reminder;
        _due = due;
    }

    /// <summary>Sets the alarm for <paramref name="at"/>: the reminder (stored) and the timer.</summary>
    public async Task SetAsync(DateTimeOffset at)
    {
        await _grain.RegisterOrUpdateReminder(_reminder, Until(at), ReminderPeriod);
        Arm(at);
    }

    /// <summary>Arms the timer of this activation only (after a recovery; the reminder is already stored).</summary>
    public void Arm(DateTimeOffset at)
    {
        if (_timer is not null && _armedFor == at)
        {
            return;
        }

        _timer?.Dispose();
        _armedFor = at;
        _timer = _grain.RegisterGrainTimer(
            async () =>
            {
                _timer?.Dispose();
                _timer = null;
                _armedFor = null;
                await _due();
            },
            new GrainTimerCreationOptions(Until(at), Timeout.InfiniteTimeSpan) { KeepAlive = _keepAlive });
    }

    /// <summary>No timer, no reminder.</summary>
    public async Task ClearAsync()
    {
        _timer?.Dispose();
        _timer = null;
        _armedFor = null;
        if (await _grain.GetReminder(_reminder) is { } reminder)
        {
            await _grain.UnregisterReminder(reminder);
        }
    }

    private TimeSpan Until(DateTimeOffset at)
    {
        var due = at - _clock.GetUtcNow();
        return due < TimeSpan.Zero ? TimeSpan.Zero : due;
    }
}
