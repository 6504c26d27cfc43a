using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A page of the task list; <c>total</c> counts all tasks, not just this page.</summary>
public sealed record TaskList(
    [property: JsonPropertyName("total")] long Total,
    [property: JsonPropertyName("tasks")] IReadOnlyList<TaskListItem> Tasks);
