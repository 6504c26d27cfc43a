using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>The task list.</summary>
public sealed record TaskList(
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("tasks")] IReadOnlyList<TaskListItem> Tasks);
