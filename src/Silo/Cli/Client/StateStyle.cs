using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>State names for people (and the <c>ls --state</c> filter) and the colour each is shown in.</summary>
public static class StateStyle
{
    /// <summary>Names <c>ls --state</c> accepts, lower case without spaces.</summary>
    public static readonly IReadOnlyList<string> FilterNames = ["stop", "running", "pending", "paused", "skipped", "killed", "timeout", "systemerror"];

    public static string Name(int state) => ((ExecState)state).DisplayName();

    /// <summary>True when <paramref name="state"/> is the one <paramref name="filter"/> names (case and spaces ignored).</summary>
    public static bool Matches(int state, string filter) =>
        string.Equals(Name(state).Replace(" ", "", StringComparison.Ordinal), filter.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    /// <summary>Spectre colour: green for success, red for failure, blue while running, grey while waiting.</summary>
    public static string Colour(int state, int code) => (ExecState)state switch
    {
        ExecState.Stop when code == 0 => "green",
        ExecState.Running => "blue",
        ExecState.Pending or ExecState.Paused or ExecState.Skipped => "grey",
        _ => "red",
    };

    /// <summary>The state, with the code when a finished step or task failed.</summary>
    public static string Label(int state, int code) =>
        (ExecState)state == ExecState.Stop && code != 0 ? $"{Name(state)} (failed)" : Name(state);

    public static string Label(StepDetail step) => Label(step.State, step.Code);
}
