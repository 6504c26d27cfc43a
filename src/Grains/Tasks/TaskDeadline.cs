namespace RemoteExecutor.Grains.Tasks;

/// <summary>
/// A task's deadline, twice: a precise grain timer while the activation lives, and a durable reminder a little
/// later (<see cref="Execution.EngineOptions.DeadlineGrace"/>) that reactivates the task if the activation is gone.
/// Whichever fires first ends the task; the other then finds it ended.
/// </summary>
internal sealed class TaskDeadline
{
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private readonly Grain _grain;
    private readonly TimeProvider _clock;
    private readonly Func<Task> _expired;
    private readonly bool _keepAlive;
    private IGrainTimer? _timer;

    public TaskDeadline(Grain grain, TimeProvider clock, bool keepAlive, Func<Task> expired)
    {
        _grain = grain;
        _clock = clock;
        _keepAlive = keepAlive;
        _expired = expired;
    }

    /// <summary>Registers the durable reminder (at accept).</summary>
    public Task RegisterReminderAsync(DateTimeOffset deadline, TimeSpan grace)
    {
        var due = deadline - _clock.GetUtcNow() + grace;
        return _grain.RegisterOrUpdateReminder(StorageNames.DeadlineReminder, due < TimeSpan.Zero ? TimeSpan.Zero : due, ReminderPeriod);
    }

    /// <summary>Arms the in-memory timer of this activation (at accept and after every recovery).</summary>
    public void ArmTimer(DateTimeOffset deadline)
    {
        if (_timer is not null)
        {
            return;
        }

        var due = deadline - _clock.GetUtcNow();
        _timer = _grain.RegisterGrainTimer(
            _expired,
            new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { KeepAlive = _keepAlive });
    }

    /// <summary>The task ended: no timer, no reminder.</summary>
    public async Task ClearAsync()
    {
        _timer?.Dispose();
        _timer = null;
        if (await _grain.GetReminder(StorageNames.DeadlineReminder) is { } reminder)
        {
            await _grain.UnregisterReminder(reminder);
        }
    }
}
