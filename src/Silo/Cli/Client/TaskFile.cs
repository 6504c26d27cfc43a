using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Yaml;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>
/// A task file as the submit body. Sent as it is (YAML as <c>application/yaml</c>, so the server's errors name its lines);
/// with <c>--id</c> or <c>--node</c> it is read here with the server's own reader, changed, and sent as JSON.
/// </summary>
public static class TaskFile
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, MaxDepth = 32 };

    public static HttpContent Read(string path, string? id, string? node)
    {
        string text;
        try
        {
            text = path == "-" ? Console.In.ReadToEnd() : File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ClientException($"cannot read the task file \"{path}\": {ex.Message}", ex);
        }

        var json = IsJson(path, text);
        if (id is null && node is null)
        {
            var content = new StringContent(text, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue(json ? "application/json" : "application/yaml") { CharSet = "utf-8" };
            return content;
        }

        var (task, error) = Parse(text, json);
        if (task is null)
        {
            throw new ClientException($"{(path == "-" ? "stdin" : path)}: {error}");
        }

        task.Id = id ?? task.Id;
        task.Node = node ?? task.Node;
        return new StringContent(JsonSerializer.Serialize(task), Encoding.UTF8, "application/json");
    }

    /// <summary>JSON when the name says so, or (no telling name) when the text starts with <c>{</c>; YAML otherwise.</summary>
    public static bool IsJson(string path, string text)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return !extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) && !extension.Equals(".yml", StringComparison.OrdinalIgnoreCase)
            && text.TrimStart().StartsWith('{');
    }

    private static (TaskDto? Task, string? Error) Parse(string text, bool json)
    {
        if (!json)
        {
            return TaskYaml.Read<TaskDto>(text, Json);
        }

        try
        {
            return JsonSerializer.Deserialize<TaskDto>(text, Json) is { } task ? (task, null) : (null, "the file holds null, not a task");
        }
        catch (JsonException ex)
        {
            return (null, $"malformed JSON: {ex.Message}");
        }
    }
}
