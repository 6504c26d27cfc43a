using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RemoteExecutor.Api.Yaml;

/// <summary>
/// Reads a request body written in YAML into the same DTO the JSON body binds to. YamlDotNet parses; the values are
/// mapped onto the DTO's JSON names and types (so the two forms cannot drift apart) and bound by System.Text.Json.
/// Errors name the line and the field (<c>line 7: step[1].command_type: expected text, got a list</c>).
/// </summary>
public static class TaskYaml
{
    /// <summary>Deepest nesting read; the DTOs need 4 levels.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most values (scalars, lists, mappings) in one body: a task has at most 1000 steps.</summary>
    public const int MaxValues = 500_000;

    /// <summary>Reads <paramref name="text"/> as one YAML document holding a <typeparamref name="T"/>.</summary>
    public static (T? Value, string? Error) Read<T>(string text, JsonSerializerOptions json)
        where T : class
    {
        var (root, parseError) = Parse(text);
        if (root is null)
        {
            return (null, parseError ?? "the body is empty: expected a YAML task mapping");
        }

        var (node, error) = Convert(root, typeof(T), "");
        if (error is not null)
        {
            return (null, error);
        }

        try
        {
            var value = node.Deserialize<T>(json);
            return value is null ? (null, $"line {root.Line}: expected a mapping, got null") : (value, null);
        }
        catch (JsonException ex)
        {
            // Convert already checked every shape; this is the last line of defence.
            return (null, $"line {root.Line}: {ex.Message}");
        }
    }

    private enum Kind
    {
        Scalar,
        Sequence,
        Mapping,
    }

    private sealed class Value(Kind kind, long line)
    {
        public Kind Kind { get; } = kind;

        public long Line { get; } = line;

        public string Text { get; init; } = "";

        public bool Plain { get; init; }

        public List<Value> Items { get; } = [];

        public Value? PendingKey { get; set; }

        public bool IsNull => Kind == Kind.Scalar && Plain && Text is "" or "~" or "null" or "Null" or "NULL";
    }

    /// <summary>Builds a small tree from the parser's events without recursion: depth, value count and aliases are checked as they come.</summary>
    private static (Value? Root, string? Error) Parse(string text)
    {
        var parser = new Parser(new StringReader(text));
        var open = new Stack<Value>();
        Value? root = null;
        var documents = 0;
        var count = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                Value? added = null;
                switch (current)
                {
                    case DocumentStart when ++documents > 1:
                        return (null, $"line {current.Start.Line}: only one YAML document is read; remove the second one");
                    case AnchorAlias alias:
                        return (null, $"line {alias.Start.Line}: YAML aliases (*{alias.Value}) are not accepted; write the value out");
                    case YamlDotNet.Core.Events.Scalar scalar:
                        added = new Value(Kind.Scalar, scalar.Start.Line) { Text = scalar.Value, Plain = scalar.Style == ScalarStyle.Plain };
                        break;
                    case SequenceStart start:
                        added = new Value(Kind.Sequence, start.Start.Line);
                        break;
                    case MappingStart start:
                        added = new Value(Kind.Mapping, start.Start.Line);
                        break;
                    case SequenceEnd or MappingEnd:
                        open.Pop();
                        break;
                }

                if (added is null)
                {
                    continue;
                }

                if (++count > MaxValues)
                {
                    return (null, $"line {added.Line}: the body holds more than {MaxValues} values");
                }

                Attach(open, added, ref root);
                if (added.Kind != Kind.Scalar)
                {
                    open.Push(added);
                    if (open.Count > MaxDepth)
                    {
                        return (null, $"line {added.Line}: nested deeper than {MaxDepth} levels");
                    }
                }
            }
        }
        catch (YamlException ex)
        {
            return (null, $"line {ex.Start.Line}: malformed YAML: {Reason(ex)}");
        }

        return (root, null);
    }

    private static void Attach(Stack<Value> open, Value added, ref Value? root)
    {
        if (open.Count == 0)
        {
            root ??= added;
            return;
        }

        var parent = open.Peek();
        if (parent.Kind == Kind.Mapping && parent.PendingKey is null)
        {
            parent.PendingKey = added;
            return;
        }

        if (parent.Kind == Kind.Mapping)
        {
            parent.Items.Add(parent.PendingKey!);
            parent.PendingKey = null;
        }

        parent.Items.Add(added);
    }

    /// <summary>Maps a YAML value onto <paramref name="target"/> (a DTO, a list, text or a flag) as JSON.</summary>
    private static (JsonNode? Node, string? Error) Convert(Value value, Type target, string path)
    {
        if (value.IsNull)
        {
            return (null, null);
        }

        var underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (underlying == typeof(string))
        {
            return value.Kind == Kind.Scalar ? (JsonValue.Create(value.Text), null) : (null, Mismatch(value, path, "text"));
        }

        if (underlying == typeof(bool))
        {
            return value is { Kind: Kind.Scalar, Plain: true } && bool.TryParse(value.Text, out var flag)
                ? (JsonValue.Create(flag), null)
                : (null, Mismatch(value, path, "true or false"));
        }

        if (underlying == typeof(int) || underlying == typeof(long))
        {
            return value is { Kind: Kind.Scalar, Plain: true } && long.TryParse(value.Text, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? (JsonValue.Create(number), null)
                : (null, Mismatch(value, path, "a whole number"));
        }

        if (underlying == typeof(JsonElement))
        {
            return ConvertFree(value, path);
        }

        if (underlying == typeof(Dictionary<string, string>))
        {
            return ConvertTextMap(value, path);
        }

        if (ElementType(underlying) is { } element)
        {
            if (value.Kind != Kind.Sequence)
            {
                return (null, Mismatch(value, path, "a list"));
            }

            var array = new JsonArray();
            for (var i = 0; i < value.Items.Count; i++)
            {
                var (item, error) = Convert(value.Items[i], element, $"{path}[{i}]");
                if (error is not null)
                {
                    return (null, error);
                }

                array.Add(item);
            }

            return (array, null);
        }

        return ConvertObject(value, underlying, path);
    }

    private static (JsonNode? Node, string? Error) ConvertObject(Value value, Type target, string path)
    {
        if (value.Kind != Kind.Mapping)
        {
            return (null, Mismatch(value, path, "a mapping of fields"));
        }

        var properties = target.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? p.Name, p.PropertyType))
            .ToDictionary(p => p.Name, p => p.PropertyType, StringComparer.OrdinalIgnoreCase);
        var result = new JsonObject();
        for (var i = 0; i + 1 < value.Items.Count; i += 2)
        {
            var key = value.Items[i];
            if (key.Kind != Kind.Scalar)
            {
                return (null, $"line {key.Line}: {Field(path, "?")}: a field name must be plain text");
            }

            var field = Field(path, key.Text);
            if (!properties.TryGetValue(key.Text, out var type))
            {
                return (null, $"line {key.Line}: {field}: unknown field; known fields: {string.Join(", ", properties.Keys)}");
            }

            if (result.ContainsKey(key.Text))
            {
                return (null, $"line {key.Line}: {field}: the field is given twice");
            }

            var (node, error) = Convert(value.Items[i + 1], type, field);
            if (error is not null)
            {
                return (null, error);
            }

            result[key.Text] = node;
        }

        return (result, null);
    }

    /// <summary>A mapping of text to text (a fan-out's <c>targets.labels</c>).</summary>
    private static (JsonNode? Node, string? Error) ConvertTextMap(Value value, string path)
    {
        if (value.Kind != Kind.Mapping)
        {
            return (null, Mismatch(value, path, "a mapping of names to text"));
        }

        var map = new JsonObject();
        for (var i = 0; i + 1 < value.Items.Count; i += 2)
        {
            var (key, item) = (value.Items[i], value.Items[i + 1]);
            if (key.Kind != Kind.Scalar)
            {
                return (null, $"line {key.Line}: {Field(path, "?")}: a field name must be plain text");
            }

            if (map.ContainsKey(key.Text))
            {
                return (null, $"line {key.Line}: {Field(path, key.Text)}: the field is given twice");
            }

            if (item.Kind != Kind.Scalar || item.IsNull)
            {
                return (null, Mismatch(item, Field(path, key.Text), "text"));
            }

            map[key.Text] = JsonValue.Create(item.Text);
        }

        return (map, null);
    }

    /// <summary>Any YAML value as JSON (a plugin step's <c>with</c>): plain scalars become numbers, booleans or null where they read so.</summary>
    private static (JsonNode? Node, string? Error) ConvertFree(Value value, string path)
    {
        switch (value.Kind)
        {
            case Kind.Sequence:
                var array = new JsonArray();
                for (var i = 0; i < value.Items.Count; i++)
                {
                    var (item, error) = ConvertFree(value.Items[i], $"{path}[{i}]");
                    if (error is not null)
                    {
                        return (null, error);
                    }

                    array.Add(item);
                }

                return (array, null);
            case Kind.Mapping:
                var map = new JsonObject();
                for (var i = 0; i + 1 < value.Items.Count; i += 2)
                {
                    var key = value.Items[i];
                    if (key.Kind != Kind.Scalar)
                    {
                        return (null, $"line {key.Line}: {Field(path, "?")}: a field name must be plain text");
                    }

                    if (map.ContainsKey(key.Text))
                    {
                        return (null, $"line {key.Line}: {Field(path, key.Text)}: the field is given twice");
                    }

                    var (item, error) = ConvertFree(value.Items[i + 1], Field(path, key.Text));
                    if (error is not null)
                    {
                        return (null, error);
                    }

                    map[key.Text] = item;
                }

                return (map, null);
            default:
                if (value.IsNull)
                {
                    return (null, null);
                }

                if (value.Plain && bool.TryParse(value.Text, out var flag))
                {
                    return (JsonValue.Create(flag), null);
                }

                if (value.Plain && long.TryParse(value.Text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var whole))
                {
                    return (JsonValue.Create(whole), null);
                }

                if (value.Plain && double.TryParse(value.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
                {
                    return (JsonValue.Create(real), null);
                }

                return (JsonValue.Create(value.Text), null);
        }
    }

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(List<>) || d == typeof(IReadOnlyList<>) || d == typeof(IList<>))
            ? type.GetGenericArguments()[0]
            : null;

    private static string Field(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Mismatch(Value value, string path, string expected)
    {
        var got = value.Kind switch
        {
            Kind.Sequence => "a list",
            Kind.Mapping => "a mapping",
            _ when !value.Plain => $"the quoted text \"{Shorten(value.Text)}\"",
            _ => $"\"{Shorten(value.Text)}\"",
        };
        return $"line {value.Line}: {(path.Length == 0 ? "the body" : path)}: expected {expected}, got {got}";
    }

    private static string Reason(YamlException ex)
    {
        // YamlDotNet prefixes "(Lin: 3, Col: 5, Chr: 20) - (...): "; the line is already named.
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith('(') ? message[(cut + 3)..] : message;
    }

    private static string Shorten(string text) =>
        new([.. (text.Length <= 40 ? text : text[..40] + "...").Select(c => char.IsControl(c) ? '?' : c)]);
}
