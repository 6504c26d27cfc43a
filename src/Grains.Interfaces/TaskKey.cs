namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// Task grains are keyed <c>t:&lt;id&gt;</c>: Orleans' ADO.NET storage reads a string key that looks like a hex
/// number as an integer key, so "7", "07" and "ABC" vs "abc" would otherwise share one stored record.
/// </summary>
public static class TaskKey
{
    public const string Prefix = "t:";

    public static string Of(string taskId) => Prefix + taskId;

    public static string IdOf(string key) => key.StartsWith(Prefix, StringComparison.Ordinal) ? key[Prefix.Length..] : key;

    /// <summary>The grain of task <paramref name="taskId"/>.</summary>
    public static ITaskGrain GetTask(this IGrainFactory grains, string taskId) => grains.GetGrain<ITaskGrain>(Of(taskId));
}
