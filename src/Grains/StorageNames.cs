namespace RemoteExecutor.Grains;

/// <summary>Names of storage providers, state and reminders; constants because they are stored.</summary>
public static class StorageNames
{
    public const string GrainStorage = "re";
    public const string TaskState = "task";
    public const string StepState = "step";
    public const string DeadlineReminder = "deadline";
    /// <summary>A task's reminder that ends a pause given a duration.</summary>
    public const string PauseReminder = "pause";
    /// <summary>A delayed task's reminder that starts it.</summary>
    public const string StartReminder = "start";

    /// <summary>Reminder of a step grain waiting out the backoff before its next attempt.</summary>
    public const string RetryReminder = "retry";
    /// <summary>The node grain's reminder that ticks the expiry sweep of its node.</summary>
    public const string ExpiryReminder = "expiry";
}
