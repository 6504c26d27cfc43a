using System.Text.Json.Nodes;

namespace RemoteExecutor.Tests.Harness;

/// <summary>Builds step objects the way clients send them.</summary>
public static class Steps
{
    public static JsonObject Of(
        string content,
        string? name = null,
        string type = "bash",
        string[]? dependsOn = null,
        string? timeout = null,
        string[]? env = null)
    {
        var step = new JsonObject
        {
            ["command_type"] = type,
            ["command_content"] = content,
        };
        if (name is not null)
        {
            step["name"] = name;
        }

        if (dependsOn is not null)
        {
            step["depends_on"] = new JsonArray([.. dependsOn.Select(d => (JsonNode?)JsonValue.Create(d))]);
        }

        if (timeout is not null)
        {
            step["timeout"] = timeout;
        }

        if (env is not null)
        {
            step["env_vars"] = new JsonArray([.. env.Select(e => (JsonNode?)JsonValue.Create(e))]);
        }

        return step;
    }

    public static JsonArray Array(params JsonObject[] steps) => new([.. steps.Cast<JsonNode?>()]);

    public static JsonArray Strings(params string[] values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
