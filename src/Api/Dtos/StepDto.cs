using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A step as clients send it.</summary>
public sealed class StepDto
{
    [Description("Optional; only letters, digits and CJK ideographs are kept.")]
    [JsonPropertyName("name")] public string? Name { get; set; }
    [Description("bash, sh/shell, ash, dash, ksh, zsh, csh, tcsh, python3/py3, python/python2/py/py2, powershell/pwsh, cmd; or a step kind of the node: http, wasm, a plugin (GET /api/v1/plugins).")]
    [JsonPropertyName("command_type")] public string? CommandType { get; set; }
    [Description("The script text; for a step kind, what the kind says (the URL for http, the module path for wasm).")]
    [JsonPropertyName("command_content")] public string? CommandContent { get; set; }
    [Description("NAME=value entries; override the task's.")]
    [JsonPropertyName("env_vars")] public List<string>? EnvVars { get; set; }
    [Description("Names of steps this one waits for (only with async=true).")]
    [JsonPropertyName("depends_on")] public List<string>? DependsOn { get; set; }
    [Description("Go duration (90s, 3m, 1h30m); empty = the server's --exec_timeout.")]
    [JsonPropertyName("timeout")] public string? Timeout { get; set; }
    [Description("Settings of a plugin step kind (http, wasm, installed plugins): a JSON object, passed to the kind as is.")]
    [JsonPropertyName("with")] public JsonElement? With { get; set; }
    [Description("When the step runs, given how its dependencies ended: on_success (default: every dependency succeeded), on_failure (a dependency failed, timed out or was killed; needs depends_on), always (once every dependency is final). A step whose condition is not met is skipped (state 4) without failing the task. Example: on_failure.")]
    [JsonPropertyName("when")] public string? When { get; set; }
    [Description("Runs a failed attempt again (a non-zero exit code, or a timeout unless on_timeout is false; never a kill) after an exponential backoff. Example: {\"limit\": 3, \"backoff\": \"2s\", \"max_backoff\": \"1m\", \"on_exit_codes\": [1], \"on_timeout\": true}.")]
    [JsonPropertyName("retry")] public RetryDto? Retry { get; set; }
}
