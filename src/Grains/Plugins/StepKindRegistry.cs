using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// The step kinds of this node beside the script types: the built-ins (http, wasm) and the plugins loaded at start.
/// Fixed once built. Kinds are per node: a task is validated by its task grain, which lives on the task's node, so
/// a step is checked against the kinds of the node that will run it.
/// </summary>
public sealed class StepKindRegistry
{
    private readonly Dictionary<string, StepKindEntry> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every kind, built-ins first, then plugins in load order.</summary>
    public IReadOnlyList<StepKindEntry> Entries => [.. _byName.Values];

    /// <summary>The kind named <paramref name="name"/> (case-insensitive), or null.</summary>
    public StepKindEntry? Find(string? name) =>
        name is not null && _byName.TryGetValue(name.Trim(), out var entry) ? entry : null;

    /// <summary>Names of the kinds, for error messages.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Values.Select(e => e.Name)];

    /// <summary>Adds a kind, or says why it is refused (a bad name, or one already taken by a script type or another kind).</summary>
    public string? TryAdd(StepKindEntry entry)
    {
        if (!IsValidName(entry.Name))
        {
            return $"its name \"{entry.Name}\" is not valid (letters, digits, '-', '_' and '.', at most 64)";
        }

        if (CommandTypes.Find(entry.Name) is not null)
        {
            return $"its name \"{entry.Name}\" is a script command_type";
        }

        if (_byName.TryGetValue(entry.Name, out var existing))
        {
            return $"its name \"{entry.Name}\" is taken by {(existing.Origin == StepKindEntry.BuiltIn ? "a built-in kind" : existing.Source)}";
        }

        _byName[entry.Name] = entry;
        return null;
    }

    private static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>A registry holding only the built-in kinds.</summary>
    public static StepKindRegistry WithBuiltIns(string version)
    {
        var registry = new StepKindRegistry();
        foreach (IStepKind kind in new IStepKind[] { new HttpStepKind(), new WasmStepKind() })
        {
            registry.TryAdd(new StepKindEntry(kind.Name, version, StepKindEntry.BuiltIn, kind));
        }

        return registry;
    }
}
