using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A step as clients send it.</summary>
public sealed class StepDto
{
    /// <summary>Optional; only letters, digits and CJK ideographs are kept.</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }
    /// <summary>bash, sh/shell, ash, dash, ksh, zsh, csh, tcsh, python3/py3, python/python2/py/py2, powershell/pwsh, cmd.</summary>
    [JsonPropertyName("command_type")] public string? CommandType { get; set; }
    /// <summary>The script text.</summary>
    [JsonPropertyName("command_content")] public string? CommandContent { get; set; }
    /// <summary>NAME=value entries; override the task's.</summary>
    [JsonPropertyName("env_vars")] public List<string>? EnvVars { get; set; }
    /// <summary>Names of steps this one waits for (only with async=true).</summary>
    [JsonPropertyName("depends_on")] public List<string>? DependsOn { get; set; }
    /// <summary>Go duration (90s, 3m, 1h30m); empty = the server's --exec_timeout.</summary>
    [JsonPropertyName("timeout")] public string? Timeout { get; set; }
}
