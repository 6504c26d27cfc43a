using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// One step kind this node can run: a .NET kind (built in or loaded from a plugin assembly) or an executable plugin
/// (<see cref="Executable"/> set; it runs through the script process path and <see cref="Kind"/> only validates).
/// </summary>
public sealed record StepKindEntry(string Name, string Version, string Source, IStepKind Kind, string? Executable = null)
{
    /// <summary>"built-in", "dotnet" or "executable".</summary>
    public string Origin => Executable is not null ? "executable" : Source == BuiltIn ? BuiltIn : "dotnet";

    /// <summary>The <see cref="Source"/> of the kinds that ship with the server.</summary>
    public const string BuiltIn = "built-in";
}
