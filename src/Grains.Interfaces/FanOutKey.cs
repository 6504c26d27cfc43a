namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// A fan-out task's run on one node is a task of its own, id <c>&lt;id&gt;@&lt;node&gt;</c>: a submitted id never holds
/// '@' (<see cref="Names.Sanitize"/> keeps letters and digits), so the two never meet, and the node in the id places
/// the run's grain on that node.
/// </summary>
public static class FanOutKey
{
    public const char Separator = '@';

    public static string Of(string task, string node) => $"{task}{Separator}{node}";

    /// <summary>Whether <paramref name="id"/> names one node's run of a fan-out task.</summary>
    public static bool IsRun(string id) => id.Contains(Separator, StringComparison.Ordinal);

    /// <summary>The fan-out task of a run id (the id itself for any other task).</summary>
    public static string TaskOf(string id) => IsRun(id) ? id[..id.IndexOf(Separator, StringComparison.Ordinal)] : id;

    /// <summary>The node of a run id (or of a task grain key <c>t:&lt;id&gt;@&lt;node&gt;</c>); null for any other id.</summary>
    public static string? NodeOf(string id) => IsRun(id) ? id[(id.IndexOf(Separator, StringComparison.Ordinal) + 1)..] : null;
}
