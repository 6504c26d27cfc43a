using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemoteExecutor.Grains.Execution;

/// <summary>
/// What an executable plugin reads on stdin: one JSON object <c>{"task_id", "step", "command_type",
/// "command_content", "with", "workspace", "node"}</c> followed by a newline. Environment variables (secrets
/// included, decrypted) come as the process environment, as for scripts, never in this object.
/// </summary>
internal static class ExecutablePluginInput
{
    public static string Json(ExecutionRequest request, string workspace, string node)
    {
        var step = new JsonObject
        {
            ["task_id"] = request.TaskId,
            ["step"] = request.StepName,
            ["command_type"] = request.CommandType,
            ["command_content"] = request.CommandContent,
            ["with"] = request.With is null ? null : JsonNode.Parse(request.With),
            ["workspace"] = workspace,
            ["node"] = node,
        };
        return step.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) + "\n";
    }
}
