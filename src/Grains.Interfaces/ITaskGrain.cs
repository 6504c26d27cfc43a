namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One task (key = task id): owns its spec, DAG, step statuses, deadlines and expiry.</summary>
[Alias("re.ITaskGrain")]
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Validates and starts a run. Answers at once; steps run in the background.</summary>
    [Alias("Submit")]
    Task<OpResult> Submit(TaskSpec spec);

    /// <summary>
    /// Snapshot for readers; null when the task does not exist (or expired). Not read-only: after a reactivation
    /// it first recovers the run, which may apply outcomes and start steps.
    /// </summary>
    [Alias("GetView")]
    Task<TaskView?> GetView();

    /// <summary>Kills the whole task (<paramref name="step"/> null) or one step.</summary>
    [Alias("Kill")]
    Task<OpResult> Kill(string? step);

    /// <summary>
    /// Pauses the task (<paramref name="step"/> null: no new step starts, running ones go on) or one step that has not
    /// started; with <paramref name="duration"/> the pause ends by itself.
    /// </summary>
    [Alias("Pause")]
    Task<OpResult> Pause(string? step, TimeSpan? duration);

    /// <summary>Ends a pause of the task or of one step.</summary>
    [Alias("Unpause")]
    Task<OpResult> Unpause(string? step);

    /// <summary>A step's process has started (notification from its step grain).</summary>
    [Alias("StepStarted"), OneWay]
    Task StepStarted(string step, Guid run, DateTimeOffset at, int attempt);

    /// <summary>A step has reached a final state (notification from its step grain).</summary>
    [Alias("StepFinished"), OneWay]
    Task StepFinished(string step, Guid run, StepOutcome outcome);

    /// <summary>Deletes the task's records when it finished more than <c>--key_expire</c> ago (expiry sweep).</summary>
    [Alias("Expire")]
    Task Expire();

    /// <summary>One node's run of this fan-out changed (notification from the run, <paramref name="view"/> its snapshot).</summary>
    [Alias("RunChanged"), OneWay]
    Task RunChanged(Guid run, string node, TaskView view);

    /// <summary>Ends the task as <paramref name="reason"/> (a fan-out ending its node's run: killed or timed out).</summary>
    [Alias("EndRun")]
    Task EndRun(ExecState reason, string message);

    /// <summary>Deletes a finished task's records now, whatever its age (a fan-out's expiry or re-submit forgets its runs).</summary>
    [Alias("Forget")]
    Task Forget();

    /// <summary>Loads the task and drives an unfinished run on (used by the start-up sweep).</summary>
    [Alias("Resume")]
    Task Resume();
}
