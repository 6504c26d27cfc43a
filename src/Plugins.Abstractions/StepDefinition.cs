using System.Text.Json;

namespace RemoteExecutor.Plugins;

/// <summary>A step as submitted: its <c>command_content</c> and its optional <c>with</c> settings object.</summary>
/// <param name="CommandContent">The step's <c>command_content</c> (may be empty for kinds that take all settings from <c>with</c>).</param>
/// <param name="With">The step's <c>with</c> object (a JSON object), or null when the step has none.</param>
public sealed record StepDefinition(string CommandContent, JsonElement? With)
{
    /// <summary>The <c>with</c> property <paramref name="name"/> (case-insensitive), or null when absent or JSON null.</summary>
    public JsonElement? Setting(string name)
    {
        if (With is not { ValueKind: JsonValueKind.Object } with)
        {
            return null;
        }

        foreach (var property in with.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Null ? null : property.Value;
            }
        }

        return null;
    }

    /// <summary>The <c>with</c> property <paramref name="name"/> as text (a JSON string, or a number/boolean written out); null when absent.</summary>
    public string? Text(string name) => Setting(name) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => v.GetRawText(),
        _ => null,
    };
}
