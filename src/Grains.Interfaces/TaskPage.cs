namespace RemoteExecutor.Grains.Interfaces;

/// <summary>A page of the task list, with the count of all tasks.</summary>
[GenerateSerializer, Immutable, Alias("re.TaskPage")]
public sealed record TaskPage(
    [property: Id(0)] long Total,
    [property: Id(1)] IReadOnlyList<TaskSummary> Tasks);
