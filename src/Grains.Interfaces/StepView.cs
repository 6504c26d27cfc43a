namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Snapshot of one step for readers.</summary>
[GenerateSerializer, Immutable, Alias("re.StepView")]
public sealed record StepView
{
    [Id(0)] public required StepSpec Spec { get; init; }
    [Id(1)] public ExecState State { get; init; } = ExecState.Pending;
    [Id(2)] public int Code { get; init; }
    /// <summary>Why the step ended the way it did (empty when it simply exited).</summary>
    [Id(3)] public string Message { get; init; } = "";
    [Id(4)] public DateTimeOffset? StartedAt { get; init; }
    [Id(5)] public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Skipped because its <c>when</c> condition was not met (not because something failed): does not fail the task.</summary>
    [Id(6)] public bool ConditionSkipped { get; init; }
    /// <summary><c>KEY=VALUE</c> outputs the step wrote (secrets masked).</summary>
    [Id(7)] public IReadOnlyList<string> Outputs { get; init; } = [];
    /// <summary>Attempts made so far (0 before the first starts).</summary>
    [Id(8)] public int Attempts { get; init; }

    /// <summary>Finished with exit code 0.</summary>
    public bool Succeeded => State == ExecState.Stop && Code == 0;

    /// <summary>Final without success, and not merely skipped by its condition: counts against the task.</summary>
    public bool Failed => State.IsFinal() && !Succeeded && !ConditionSkipped;
}
