namespace RemoteExecutor.Grains.Dag;

/// <summary>A validated task: sanitised names, effective dependencies, steps in submission order.</summary>
public sealed record TaskPlan(IReadOnlyList<StepSpec> Steps);
