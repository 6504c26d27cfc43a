namespace RemoteExecutor.Api;

/// <summary>A control request on a task or step (<c>PUT ?action=kill|pause|resume[&amp;duration=5m]</c>), checked.</summary>
public sealed record TaskControl(string Action, TimeSpan? Duration)
{
    public const string Kill = "kill";
    public const string Pause = "pause";
    public const string Resume = "resume";

    /// <summary>Longest pause with a duration (a pause without one lasts until resumed).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(30);

    /// <summary>The actions, in documentation order.</summary>
    public static readonly IReadOnlyList<string> Actions = [Kill, Pause, Resume];

    /// <summary>Reads the query parameters; no action means kill. Errors name the parameter.</summary>
    public static (TaskControl? Control, string? Error) Read(string? action, string? duration)
    {
        var name = string.IsNullOrEmpty(action) ? Kill : action.Trim().ToLowerInvariant();
        if (!Actions.Contains(name))
        {
            return (null, $"action \"{Shorten(action!)}\" is not supported; use one of: {string.Join(", ", Actions)}");
        }

        if (string.IsNullOrWhiteSpace(duration))
        {
            return (new TaskControl(name, null), null);
        }

        if (name != Pause)
        {
            return (null, $"duration applies only to action=pause, not to action={name}");
        }

        if (!GoDuration.TryParse(duration, out var value, out var error))
        {
            return (null, $"duration: {error}");
        }

        if (value <= TimeSpan.Zero || value > MaxDuration)
        {
            return (null, $"duration must be positive and at most {GoDuration.Format(MaxDuration)}, got {GoDuration.Format(value)}");
        }

        return (new TaskControl(name, value), null);
    }

    private static string Shorten(string text) => new([.. text.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
}
