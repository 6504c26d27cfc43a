using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>Where a <see cref="TaskFollower"/> reports what it sees.</summary>
public interface IFollowView
{
    /// <summary>The task's steps as of the latest poll, in the task's order.</summary>
    void Steps(string task, string? state, IReadOnlyList<StepDetail> steps);

    /// <summary>New output lines of one step, in order.</summary>
    void Lines(string step, IReadOnlyList<ConsoleLineDto> lines);
}
