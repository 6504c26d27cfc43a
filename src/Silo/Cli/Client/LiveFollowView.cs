using RemoteExecutor.Api.Dtos;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>
/// Follow output for a terminal: a table of the steps with their states, redrawn in place (Spectre's Live display),
/// and below it the latest output lines of the step that printed last.
/// </summary>
public sealed class LiveFollowView : IFollowView
{
    /// <summary>Output lines shown under the table.</summary>
    public const int TailLines = 12;

    private readonly Queue<string> _tail = new();
    private IReadOnlyList<StepDetail> _steps = [];
    private string _task = "";
    private string? _state;
    private string? _outputStep;
    private LiveDisplayContext? _context;

    /// <summary>The display to redraw on every change (set inside <c>Live(...).StartAsync</c>).</summary>
    public void Attach(LiveDisplayContext context) => _context = context;

    public void Steps(string task, string? state, IReadOnlyList<StepDetail> steps)
    {
        _task = task;
        _state = state;
        _steps = steps;
        Redraw();
    }

    public void Lines(string step, IReadOnlyList<ConsoleLineDto> lines)
    {
        if (_outputStep != step)
        {
            _outputStep = step;
            _tail.Clear();
        }

        foreach (var line in lines.TakeLast(TailLines))
        {
            _tail.Enqueue(line.Content);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }

        Redraw();
    }

    public IRenderable Render()
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"task {Markup.Escape(_task)}{(_state is null ? "" : $": {Markup.Escape(_state)}")}")
            .AddColumns("STEP", "STATE", "CODE", "STARTED", "ENDED");
        foreach (var s in _steps)
        {
            table.AddRow(new Text(s.Name), HumanOutput.State(s.State, s.Code), new Text(s.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(s.Times.St), new Text(s.Times.Et));
        }

        if (_outputStep is null)
        {
            return table;
        }

        var output = new Panel(new Rows(_tail.Select(l => new Text(l))))
            .Header($"output of {Markup.Escape(_outputStep)} (latest {TailLines} lines)")
            .Border(BoxBorder.Rounded)
            .Expand();
        return new Rows(table, output);
    }

    private void Redraw()
    {
        if (_context is { } context)
        {
            context.UpdateTarget(Render());
            context.Refresh();
        }
    }
}
