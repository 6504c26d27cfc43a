namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// Step grains are keyed <c>&lt;node&gt;/&lt;task&gt;/&lt;step&gt;</c>: the node a step runs on is part of its identity, so
/// its grain is placed on that node by the key alone, whoever calls it and whenever it reactivates. Node names,
/// task ids and step names are letters and digits only, so the key splits without ambiguity.
/// </summary>
public static class StepKey
{
    public static string Of(string node, string task, string step) => $"{node}/{task}/{step}";

    /// <summary>The node named by a step grain's key.</summary>
    public static string NodeOf(string key) => key[..key.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>The grain of step <paramref name="step"/> of task <paramref name="task"/> on <paramref name="node"/>.</summary>
    public static IStepGrain GetStep(this IGrainFactory grains, string node, string task, string step) =>
        grains.GetGrain<IStepGrain>(Of(node, task, step));
}
