namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One step (key = "node/task/step", see StepKey): its durable record and its link to the executor of its node.</summary>
[Alias("re.IStepGrain")]
public interface IStepGrain : IGrainWithStringKey
{
    /// <summary>Records the start (write-ahead) and hands the step to the executor. Returns once queued.</summary>
    [Alias("Start")]
    Task Start(StepRun run);

    /// <summary>Asks the executor to kill the step's process tree (or drop it from the queue).</summary>
    [Alias("Kill")]
    Task Kill(Guid run, ExecState reason, string message);

    /// <summary>What the step knows of <paramref name="run"/>; a run the executor lost is resolved as -999 here.</summary>
    [Alias("GetProgress")]
    Task<StepProgress> GetProgress(Guid run);

    /// <summary>Called by the executor when the process has started; the start time is stored.</summary>
    [Alias("ReportStarted"), OneWay]
    Task ReportStarted(Guid run, DateTimeOffset at);

    /// <summary>Deletes the step's durable record (task expiry).</summary>
    [Alias("Forget")]
    Task Forget();

    /// <summary>Called by the executor when the process has ended and its output is stored.</summary>
    [Alias("ReportExit")]
    Task ReportExit(Guid run, StepOutcome outcome);
}
