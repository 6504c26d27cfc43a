using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemoteExecutor.Bench;

/// <summary>All figures of a run: one JSON object (the BENCH_JSON line) and the rows of the human table.</summary>
internal sealed class Report
{
    private readonly List<Row> _rows = [];
    private readonly JsonObject _targets = [];
    private readonly JsonArray _errors = [];
    private readonly List<(string Title, string Text)> _blocks = [];

    public JsonObject Root { get; } = [];

    /// <summary>Processes/s of the spawn ceiling, once measured: figures marked as rates are also shown as a ratio of it.</summary>
    public double? SpawnRate { get; set; }

    public Section Section(string name)
    {
        var obj = new JsonObject();
        Root[name] = obj;
        return new Section(this, name, obj);
    }

    internal void AddRow(Row row) => _rows.Add(row);

    /// <summary>A preformatted block printed after the rows (a scenario's summary table).</summary>
    public void AddBlock(string title, string text) => _blocks.Add((title, text));

    public void Error(string scenario, string message)
    {
        _errors.Add($"{scenario}: {message}");
        Console.Error.WriteLine($"[bench] ERROR {scenario}: {message}");
    }

    public int ErrorCount => _errors.Count;

    /// <summary>Records a target: value compared with limit (<c>&lt;=</c>, <c>&lt;</c> or <c>&gt;=</c>); a missing value is n/a.</summary>
    public void Target(string name, double? value, string op, double limit, string unit)
    {
        bool? met = value is { } v ? op switch { ">=" => v >= limit, "<" => v < limit, _ => v <= limit } : null;
        _targets[name] = new JsonObject
        {
            ["value"] = value is { } x ? Round(x) : null,
            ["op"] = op,
            ["limit"] = limit,
            ["unit"] = unit,
            ["met"] = met,
        };
    }

    public string ToJsonLine()
    {
        Root["targets"] = _targets.DeepClone();
        Root["errors"] = _errors.DeepClone();
        return Root.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string ToTable()
    {
        var sb = new StringBuilder();
        var header = new[] { "scenario", "figure", "value", "unit", "vs spawn", "note" };
        var cells = _rows.Select(r => new[] { r.Section, r.Key, r.Value, r.Unit, r.Ratio ?? "", r.Note ?? "" }).ToList();
        var widths = Enumerable.Range(0, header.Length - 1)
            .Select(i => Math.Max(header[i].Length, cells.Count == 0 ? 0 : cells.Max(c => c[i].Length))).ToArray();
        void Line(string[] c)
        {
            for (var i = 0; i < c.Length - 1; i++)
            {
                sb.Append(i == 2 ? c[i].PadLeft(widths[i]) : c[i].PadRight(widths[i])).Append("  ");
            }

            sb.Append(c[^1]).AppendLine();
        }

        Line(header);
        Line(widths.Select(w => new string('-', w)).Append("----").ToArray());
        string? last = null;
        foreach (var c in cells)
        {
            if (last is not null && c[0] != last)
            {
                sb.AppendLine();
            }

            last = c[0];
            Line(c);
        }

        foreach (var (title, text) in _blocks)
        {
            sb.AppendLine().AppendLine(title + ":").Append(text);
        }

        if (_targets.Count > 0)
        {
            sb.AppendLine().AppendLine("targets:");
            foreach (var (name, node) in _targets)
            {
                var t = node!.AsObject();
                var met = t["met"]?.GetValue<bool>();
                var status = met switch { true => "met", false => "MISSED", null => "n/a" };
                var value = t["value"] is { } v ? Format(v.GetValue<double>()) : "-";
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {name,-26} {value,12} {t["op"]} {Format(t["limit"]!.GetValue<double>())} {t["unit"]}  {status}");
            }
        }

        if (_errors.Count > 0)
        {
            sb.AppendLine().AppendLine("errors:");
            foreach (var e in _errors)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"  {e}");
            }
        }

        return sb.ToString();
    }

    public static double Round(double v) => Math.Abs(v) >= 100 ? Math.Round(v, 1) : Math.Round(v, 3);

    public static string Format(double v) =>
        Math.Abs(v) >= 100 ? v.ToString("0.#", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);

    internal sealed record Row(string Section, string Key, string Value, string Unit, string? Ratio, string? Note);
}

/// <summary>One scenario's figures.</summary>
internal sealed class Section
{
    private readonly Report _report;
    private readonly string _name;
    private readonly JsonObject _obj;
    private readonly Dictionary<string, double> _numbers = [];

    public Section(Report report, string name, JsonObject obj)
    {
        _report = report;
        _name = name;
        _obj = obj;
    }

    /// <summary>A number; <paramref name="rate"/> also records and shows it as a ratio of the spawn ceiling.</summary>
    public void Add(string key, double value, string unit, string? note = null, bool rate = false, bool show = true)
    {
        if (!double.IsFinite(value))
        {
            _obj[key] = null;
            if (show)
            {
                _report.AddRow(new Report.Row(_name, key, "-", unit, null, note));
            }

            return;
        }

        _numbers[key] = value;
        _obj[key] = Report.Round(value);
        string? ratio = null;
        if (rate && _report.SpawnRate is > 0 and var spawn)
        {
            var r = value / spawn;
            _obj[key + "_vs_spawn"] = Math.Round(r, 3);
            ratio = r.ToString("0.00", CultureInfo.InvariantCulture) + "x";
        }

        if (show)
        {
            _report.AddRow(new Report.Row(_name, key, Report.Format(value), unit, ratio, note));
        }
    }

    public void Add(string key, long value, string unit, string? note = null, bool show = true)
    {
        _numbers[key] = value;
        _obj[key] = value;
        if (show)
        {
            _report.AddRow(new Report.Row(_name, key, value.ToString(CultureInfo.InvariantCulture), unit, null, note));
        }
    }

    public void Add(string key, string value, bool show = true)
    {
        _obj[key] = value;
        if (show)
        {
            // Long text goes to the note column so it does not widen the value column.
            _report.AddRow(value.Length > 12
                ? new Report.Row(_name, key, "", "", null, value)
                : new Report.Row(_name, key, value, "", null, null));
        }
    }

    public void Add(string key, bool value, string? note = null)
    {
        _obj[key] = value;
        _report.AddRow(new Report.Row(_name, key, value ? "yes" : "no", "", null, note));
    }

    public double? Get(string key) => _numbers.TryGetValue(key, out var v) ? v : null;
}

internal static class Percentile
{
    /// <summary>Nearest-rank percentile of unsorted values; NaN when empty.</summary>
    public static double Of(IReadOnlyCollection<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
