using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RemoteExecutor.Api.Dtos;

/// <summary>A step kind a node runs beside the script types.</summary>
public sealed record StepKindDto(
    [property: JsonPropertyName("name"), Description("The command_type that selects it.")] string Name,
    [property: JsonPropertyName("kind"), Description("built-in, dotnet (a .NET plugin assembly) or executable (an executable plugin).")] string Kind,
    [property: JsonPropertyName("version"), Description("The plugin assembly's version (the server's for built-ins; empty for executables).")] string Version,
    [property: JsonPropertyName("source"), Description("The file it was loaded from, or built-in.")] string Source);
