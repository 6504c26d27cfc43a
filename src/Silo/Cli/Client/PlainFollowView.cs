using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>
/// Follow output for pipes and files: a line when a step starts and when it ends, and its output appended as it comes
/// (<c>[step] line</c> for a task; bare lines for one step's log).
/// </summary>
public sealed class PlainFollowView(TextWriter output, bool wholeTask) : IFollowView
{
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);

    public void Steps(string task, string? state, IReadOnlyList<StepDetail> steps)
    {
        if (!wholeTask)
        {
            return;
        }

        foreach (var step in steps)
        {
            var now = (ExecState)step.State;
            if (now is ExecState.Pending or ExecState.Skipped)
            {
                continue;
            }

            Start(step.Name);
            if (now.IsFinal() && _ended.Add(step.Name))
            {
                output.WriteLine($"==> step {step.Name}: {now.DisplayName()}, code {step.Code}");
            }
        }

        output.Flush();
    }

    public void Lines(string step, IReadOnlyList<ConsoleLineDto> lines)
    {
        if (wholeTask)
        {
            Start(step);
        }

        foreach (var line in lines)
        {
            output.WriteLine(wholeTask ? $"[{step}] {line.Content}" : line.Content);
        }

        output.Flush();
    }

    private void Start(string step)
    {
        if (_started.Add(step))
        {
            output.WriteLine($"==> step {step}: started");
        }
    }
}
