using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RemoteExecutor.Tests.Durability;

/// <summary>One fuzzed request: where it goes, its bytes, and how it was made (for the failure message).</summary>
public sealed record FuzzCase(int Index, string Path, byte[] Body, string? ContentType, string How);

/// <summary>
/// Makes submit requests from a seed: valid base tasks (v1 and v2) with random mutations of their tree (wrong
/// types, weird strings, unknown fields, bad ids/timeouts/types/dependencies, odd structures) and of their text
/// (truncation, random bytes, duplicate keys, lone surrogates, deep nesting). A step's command only ever comes
/// from <see cref="SafeContents"/>, so whatever is accepted runs briefly.
/// </summary>
public sealed class SubmitFuzzer
{
    public static readonly string[] SafeContents =
        ["true", "echo x", "exit 3", "echo 日本語 😀", "printf 'a\\nb\\n'", "echo $TASK_ID", "false", "echo x >&2", ":"];

    private static readonly string[] CommandTypes =
    [
        "bash", "sh", "shell", "python3", "py3", "python", "py", "py2", "python2", "dash", "ash", "ksh", "zsh", "csh", "tcsh",
        "pwsh", "powershell", "cmd", "BASH", "Bash", " bash ", "perl", "ruby", "node", "", " ", "bash\0", "../bin/bash", "/bin/sh", "bash; rm",
    ];

    private static readonly string[] Timeouts =
    [
        "", " ", "1s", "10s", "1ns", "0", "0s", "-1s", "-5s", "+3s", "720h", "721h", "999999h", "1e9h", "abc", "1.5h", ".5s", "5.",
        "9223372036854775807ns", "99999999999999999999999h", "3m", "1h30m", "5µs", "300ms", "s", "1x", " 2s ", "NaN", "∞", "1h-1m", "٣s",
    ];

    private static readonly string[] WeirdStrings =
    [
        "", " ", "\0", "a\0b", "😀", "\u202Ehello", "日本語", "../..", "..", "/", "\\", "%00", "a/b", "${PATH}", "$(id)", "`id`",
        "'; DROP TABLE task_summary; --", "Ǆǅ", "e\u0301", "\t\n", "\u00A0", "\uFEFF", "null", "true", "0", "-1",
        "x", "s1", "s2", "A=1", "CON", "NUL", "a:b", "a*b?", "\u2028", "\u0085",
    ];

    private static readonly string[] EnvEntries =
    [
        "A=1", "=x", "NOEQ", "SECRET:", "SECRET:X=", "SECRET:PW=hunter2", "A B=c", "X=\0y", "PATH2=/nonexistent", "Ü=ü", "", " ", "A==", "LONG=" + new string('v', 5000),
    ];

    private readonly Random _r;
    private readonly string _node;
    private readonly List<string> _ids = [];

    public SubmitFuzzer(int seed, string node)
    {
        _r = new Random(seed);
        _node = node;
    }

    public List<FuzzCase> Generate(int count) => [.. Enumerable.Range(0, count).Select(Next)];

    private FuzzCase Next(int index)
    {
        var how = new List<string>();
        var v2 = _r.Next(2) == 0;
        var task = BaseTask(index);
        var mutations = _r.Next(10) < 2 ? 0 : 1 + _r.Next(3);
        for (var m = 0; m < mutations; m++)
        {
            how.Add(MutateTree(task));
        }

        string path;
        string text;
        if (v2)
        {
            path = "/api/v2/task";
            text = task.ToJsonString();
        }
        else
        {
            path = (_r.Next(8) == 0 ? "/" : "/api/v1/task") + Query(task, how);
            text = task["step"] is { } steps ? steps.ToJsonString() : "null";
        }

        var body = Encoding.UTF8.GetBytes(text);
        if (_r.Next(4) == 0)
        {
            (body, var what) = MutateText(text);
            how.Add(what);
        }

        var contentType = _r.Next(12) switch
        {
            0 => null,
            1 => "text/plain",
            2 => "application/json; charset=latin1",
            3 => "application/x-www-form-urlencoded",
            _ => "application/json",
        };
        return new FuzzCase(index, path, body, contentType, $"{(v2 ? "v2" : "v1")} [{string.Join("; ", how)}]");
    }

    private JsonObject BaseTask(int index)
    {
        var task = new JsonObject();
        var idChoice = _r.Next(10);
        if (idChoice < 7)
        {
            var id = $"fz{index}x{_r.Next(1_000_000)}";
            _ids.Add(id);
            task["id"] = id;
        }
        else if (idChoice < 8 && _ids.Count > 0)
        {
            task["id"] = _ids[_r.Next(_ids.Count)];
        }

        var isAsync = _r.Next(2) == 0;
        if (isAsync || _r.Next(3) == 0)
        {
            task["async"] = isAsync;
        }

        if (_r.Next(4) == 0)
        {
            task["timeout"] = "60s";
        }

        if (_r.Next(4) == 0)
        {
            task["env_vars"] = new JsonArray("A=1", "SECRET:PW=hunter2");
        }

        var steps = new JsonArray();
        var count = 1 + _r.Next(3);
        for (var i = 0; i < count; i++)
        {
            var step = new JsonObject
            {
                ["command_type"] = _r.Next(10) < 7 ? "bash" : CommandTypes[_r.Next(4)],
                ["command_content"] = SafeContents[_r.Next(SafeContents.Length)],
            };
            if (_r.Next(5) != 0)
            {
                step["name"] = $"s{i + 1}";
            }

            if (isAsync && i > 0 && step["name"] is not null && _r.Next(2) == 0)
            {
                var earlier = _r.Next(i);
                if (steps[earlier]?["name"] is { } earlierName)
                {
                    step["depends_on"] = new JsonArray(earlierName.GetValue<string>());
                }
            }

            if (_r.Next(5) == 0)
            {
                step["timeout"] = "30s";
            }

            if (_r.Next(6) == 0)
            {
                step["env_vars"] = new JsonArray("B=2");
            }

            steps.Add(step);
        }

        task["step"] = steps;
        return task;
    }

    private string Query(JsonObject task, List<string> how)
    {
        var parts = new List<string>();
        foreach (var (key, value) in task)
        {
            switch (key)
            {
                case "step":
                    continue;
                case "env_vars" when value is JsonArray array:
                    parts.AddRange(array.Select(e => "env_vars=" + Uri.EscapeDataString(e?.ToJsonString().Trim('"') ?? "")));
                    continue;
                default:
                    parts.Add($"{Uri.EscapeDataString(key)}={Uri.EscapeDataString(Scalar(value))}");
                    break;
            }
        }

        switch (_r.Next(12))
        {
            case 0:
                parts.Add("async=" + Uri.EscapeDataString(Pick(["maybe", "2", "", "TRUE", "yes", "on", "null"])));
                how.Add("query async");
                break;
            case 1:
                parts.Add("id=" + Uri.EscapeDataString(Pick(WeirdStrings)));
                how.Add("second id");
                break;
            case 2:
                parts.Add("colour=blue&x=%FF%FE&=&&&");
                how.Add("unknown query");
                break;
            case 3:
                parts.Add("timeout=" + Uri.EscapeDataString(Pick(Timeouts)));
                how.Add("query timeout");
                break;
            case 4:
                parts.Add("id=%00%2F..%2F");
                how.Add("raw hostile id");
                break;
        }

        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    private static string Scalar(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };

    private string MutateTree(JsonObject task)
    {
        var steps = task["step"] as JsonArray;
        var step = steps is { Count: > 0 } ? steps[_r.Next(steps.Count)] as JsonObject : null;
        switch (_r.Next(13))
        {
            case 0:
            {
                var (target, key) = PickField(task, step);
                target[key] = WeirdValue();
                return $"wrong type {key}";
            }

            case 1:
            {
                var (target, key) = PickField(task, step);
                target.Remove(key);
                return $"removed {key}";
            }

            case 2:
                (step ?? task)[Pick(["frobnicate", "Command_Type", "COMMAND_CONTENT", "depends", "step", "id", "ïd", ""])] = WeirdValue();
                return "unknown or case-variant field";
            case 3 when step is not null:
                step["name"] = Pick(WeirdStrings);
                return "weird name";
            case 4 when step is not null:
                step["command_type"] = Pick(CommandTypes);
                return $"command_type {step["command_type"]?.ToJsonString()}";
            case 5:
                task["id"] = _r.Next(3) == 0 ? RandomUnicode(1 + _r.Next(20)) : Pick(WeirdStrings);
                return "weird id";
            case 6:
                if (step is not null && _r.Next(2) == 0)
                {
                    step["timeout"] = Pick(Timeouts);
                    return "step timeout";
                }

                task["timeout"] = Pick(Timeouts);
                return "task timeout";
            case 7 when step is not null:
                task["async"] = _r.Next(3) != 0;
                step["depends_on"] = new JsonArray([.. Enumerable.Range(0, _r.Next(4)).Select(_ => (JsonNode?)Pick([.. WeirdStrings, "s1", "s2", "s3", step["name"]?.ToString() ?? "s1"]))]);
                return "weird depends_on";
            case 8:
                var env = new JsonArray([.. Enumerable.Range(0, 1 + _r.Next(3)).Select(_ => (JsonNode?)Pick(EnvEntries))]);
                if (step is not null && _r.Next(2) == 0)
                {
                    step["env_vars"] = env;
                }
                else
                {
                    task["env_vars"] = env;
                }

                return "weird env_vars";
            case 9:
                switch (_r.Next(6))
                {
                    case 0:
                        task["step"] = new JsonArray();
                        return "no steps";
                    case 1:
                        steps?.Add(null);
                        return "null step";
                    case 2:
                        steps?.Add(Pick(["string step", "1"]));
                        return "scalar step";
                    case 3:
                        task["step"] = new JsonArray([.. Enumerable.Range(0, 1001).Select(i => (JsonNode?)new JsonObject { ["name"] = $"m{i}", ["command_type"] = "bash", ["command_content"] = "true" })]);
                        return "1001 steps";
                    case 4:
                        task["step"] = new JsonObject { ["step"] = steps?.DeepClone() };
                        return "steps wrapped in an object";
                    default:
                        steps?.Add(step?.DeepClone());
                        return "duplicate step";
                }

            case 10:
                task["node"] = _r.Next(3) == 0 ? _node : Pick(["zz", "", " ", _node + "x", _node.ToUpperInvariant(), "../" + _node]);
                return $"node {task["node"]?.ToJsonString()}";
            case 11:
                task["async"] = WeirdValue();
                return "async of a wrong type";
            default:
                if (step is not null)
                {
                    // Only safe scripts or wrong types: WeirdValue's one string kind ("zz[]") is a harmless unknown command.
                    step["command_content"] = _r.Next(2) == 0 ? Pick(SafeContents) : WeirdValue();
                    return "command_content changed";
                }

                return "nothing";
        }
    }

    private (JsonObject Target, string Key) PickField(JsonObject task, JsonObject? step)
    {
        var target = step is not null && _r.Next(3) != 0 ? step : task;
        var keys = target.Select(p => p.Key).ToList();
        if (keys.Count == 0)
        {
            return (target, "name");
        }

        return (target, keys[_r.Next(keys.Count)]);
    }

    private JsonNode? WeirdValue()
    {
        return _r.Next(16) switch
        {
            0 => 0,
            1 => -1,
            2 => 1.5,
            3 => 1e308,
            4 => long.MaxValue,
            5 => true,
            6 => false,
            7 => null,
            8 => new JsonObject(),
            9 => new JsonArray(),
            10 => new JsonArray(new JsonArray()),
            11 => new JsonObject { ["a"] = 1 },
            12 => new JsonArray(1, 2),
            13 => decimal.MaxValue,
            _ => JsonValue.Create(new string('z', 1 + _r.Next(3)) + "[]"),
        };
    }

    private (byte[] Body, string How) MutateText(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        switch (_r.Next(10))
        {
            case 0:
                return (bytes[..(bytes.Length == 0 ? 0 : _r.Next(bytes.Length))], "truncated");
            case 1:
            {
                var junk = new byte[1 + _r.Next(8)];
                _r.NextBytes(junk);
                var at = _r.Next(bytes.Length + 1);
                return ([.. bytes[..at], .. junk, .. bytes[at..]], "random bytes inserted");
            }

            case 2:
            {
                var brace = text.IndexOf('{', StringComparison.Ordinal);
                if (brace < 0)
                {
                    return (bytes, "no object for duplicate keys");
                }

                var dup = Pick(["\"id\":\"dup\",", "\"command_type\":\"bash\",", "\"command_type\":\"nope\",", "\"name\":\"s1\",", "\"step\":[],", "\"async\":true,"]);
                return (Encoding.UTF8.GetBytes(text.Insert(brace + 1, dup)), "duplicate key " + dup);
            }

            case 3:
            {
                if (bytes.Length == 0)
                {
                    return (bytes, "empty");
                }

                var copy = (byte[])bytes.Clone();
                copy[_r.Next(copy.Length)] = (byte)_r.Next(256);
                return (copy, "one byte flipped");
            }

            case 4:
                return (Encoding.UTF8.GetBytes(text.Replace("\"s1\"", "\"\\ud800\"", StringComparison.Ordinal).Replace("\"bash\"", "\"ba\\udc00sh\"", StringComparison.Ordinal)), "lone surrogates");
            case 5:
                return (Encoding.UTF8.GetBytes(text.Replace("true", "1e999", StringComparison.Ordinal).Replace("false", "-0.0e-999", StringComparison.Ordinal)), "odd numbers");
            case 6:
            {
                var depth = 30 + _r.Next(80);
                return (Encoding.UTF8.GetBytes(new string('[', depth) + text + new string(']', depth)), $"nested {depth} deep");
            }

            case 7:
                return ([0xEF, 0xBB, 0xBF, .. bytes], "BOM");
            case 8:
            {
                var junk = new byte[_r.Next(200)];
                _r.NextBytes(junk);
                return (junk, "random bytes body");
            }

            default:
                return (Encoding.UTF8.GetBytes(text + Pick(["]", "}", ",", " trailing", "\0", "[]"])), "trailing garbage");
        }
    }

    private string RandomUnicode(int length)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var cp = _r.Next(4) switch
            {
                0 => _r.Next(0x20, 0x7F),
                1 => _r.Next(0xA0, 0x3000),
                2 => _r.Next(0x4E00, 0x9FFF),
                _ => _r.Next(0x1F300, 0x1FAFF),
            };
            sb.Append(char.ConvertFromUtf32(cp));
        }

        return sb.ToString();
    }

    private string Pick(string[] values) => values[_r.Next(values.Length)];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"fuzzer with {_ids.Count} ids");
}
