namespace RemoteExecutor.Grains.Interfaces;

/// <summary>When a step runs, given how its dependencies ended (the step field <c>when</c>).</summary>
public enum StepCondition
{
    /// <summary>Only when every dependency succeeded (the default).</summary>
    OnSuccess = 0,
    /// <summary>Only when a dependency failed, timed out or was killed (or was skipped because of such a failure).</summary>
    OnFailure = 1,
    /// <summary>Once every dependency is final, however it ended.</summary>
    Always = 2,
}
