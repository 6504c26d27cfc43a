using System.Globalization;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Endpoints;
using Spectre.Console;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>Tables for people: task list, task detail, pool, nodes. Colours only when the console is a terminal.</summary>
public sealed class HumanOutput(IAnsiConsole console)
{
    /// <summary>A console on stdout: colours and widths detected; wide lines when redirected (Spectre assumes 80 columns).</summary>
    public static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        if (System.Console.IsOutputRedirected)
        {
            console.Profile.Width = 240;
        }

        return console;
    }

    public IAnsiConsole Console { get; } = console;

    public void Tasks(IReadOnlyList<TaskListItem> tasks)
    {
        if (tasks.Count == 0)
        {
            Console.WriteLine("no tasks");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("ID", "STATE", "CODE", "STEPS", "NODE", "NODES", "STARTED", "ENDED", "MESSAGE");
        foreach (var t in tasks)
        {
            table.AddRow(new Text(t.Id), State(t.State, t.Code), Number(t.Code), Number(t.Count), new Text(t.Node),
                new Text(t.Nodes is { } n ? n.ToString(CultureInfo.InvariantCulture) : ""), new Text(t.Times.St), new Text(t.Times.Et), new Text(t.Msg));
        }

        Console.Write(table);
    }

    public void Task(string id, ApiReply reply, IReadOnlyList<StepDetail> steps)
    {
        var colour = reply.Code == 0 ? "green" : reply.Code == 1001 ? "blue" : reply.Code is 1004 or 1005 ? "grey" : "red";
        Console.MarkupLine($"task [bold]{Markup.Escape(id)}[/]: [{colour}]{Markup.Escape(reply.TaskState ?? "")}[/] ({Markup.Escape(reply.Message)})");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("STEP", "STATE", "CODE", "TYPE", "DEPENDS ON", "TIMEOUT", "STARTED", "ENDED");
        foreach (var s in steps)
        {
            table.AddRow(new Text(s.Name), State(s.State, s.Code), Number(s.Code), new Text(s.CommandType), new Text(string.Join(", ", s.DependsOn)),
                new Text(s.Timeout), new Text(s.Times.St), new Text(s.Times.Et));
        }

        Console.Write(table);
    }

    /// <summary>A fan-out's runs, one row per target node, and how to read one node's steps.</summary>
    public void Runs(string id, IReadOnlyList<RunDetail> runs)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("NODE", "STATE", "CODE", "STARTED", "ENDED", "MESSAGE");
        foreach (var r in runs)
        {
            table.AddRow(new Text(r.Node), State(r.State, r.Code), Number(r.Code), new Text(r.StartTime), new Text(r.EndTime), new Text(r.Msg));
        }

        Console.Write(table);
        if (runs.Count > 0)
        {
            Console.WriteLine($"one node's steps: get {id} --node {runs[0].Node}; its console: logs {id} STEP --node {runs[0].Node}");
        }
    }

    public void Pool(PoolDto pool, string node)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("NODE", "SIZE", "RUNNING", "WAITING", "ACCEPTED");
        table.AddRow(new Text(node), Number(pool.Size), Number(pool.Running), Number(pool.Waiting), Number(pool.Total));
        Console.Write(table);
    }

    public void Nodes(NodeEndpoints.NodeList nodes)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("NODE", "ADDRESS", "STATUS", "LABELS", "POOL SIZE", "RUNNING", "WAITING");
        foreach (var n in nodes.Nodes)
        {
            table.AddRow(new Text(n.Name), new Text(n.Address), new Text(n.Status), new Text(string.Join(',', n.Labels.Select(l => $"{l.Key}={l.Value}"))), Number(n.Size), Number(n.Running), Number(n.Waiting));
        }

        Console.Write(table);
    }

    public static Markup State(int state, int code) => new($"[{StateStyle.Colour(state, code)}]{Markup.Escape(StateStyle.Label(state, code))}[/]");

    private static Text Number(long n) => new(n.ToString(CultureInfo.InvariantCulture));
}
