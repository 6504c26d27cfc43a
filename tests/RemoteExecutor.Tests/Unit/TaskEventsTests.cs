using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class TaskEventsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_FinishedDagWithAFailedStep_ListsEveryEventInTheOrderItHappened()
    {
        var view = Task(ExecState.Stop, 1,
            Step("a", ExecState.Stop, 1, 1, 3),
            Step("b", ExecState.Skipped, 0, null, null),
            Step("c", ExecState.Stop, 0, 2, 4));

        Assert.Equal(
            ["task.accepted", "step.started:a", "step.started:c", "step.finished:a", "step.finished:c", "step.skipped:b", "task.finished"],
            TaskEvents.Of(view).Select(e => e.Key));
    }

    [Fact]
    public void Since_LaterView_GivesOnlyTheNewEvents()
    {
        var running = Task(ExecState.Running, 0, Step("a", ExecState.Running, 0, 1, null), Step("b", ExecState.Pending, 0, null, null));
        var killed = Task(ExecState.Killed, 255, Step("a", ExecState.Killed, 255, 1, 2), Step("b", ExecState.Skipped, 0, null, null));

        Assert.Equal(["task.accepted", "step.started:a"], TaskEvents.Since(null, running).Select(e => e.Key));
        var news = TaskEvents.Since(running, killed);
        Assert.Equal(["step.finished:a", "step.skipped:b", "task.killed"], news.Select(e => e.Key));
        Assert.Equal((int)ExecState.Killed, news[0].State);
    }

    private static TaskView Task(ExecState state, int code, params StepView[] steps) => new()
    {
        Id = "t", Node = "n1", State = state, Code = code, StartedAt = T0, EndedAt = state.IsFinal() ? T0.AddSeconds(5) : null, Steps = steps,
    };

    private static StepView Step(string name, ExecState state, int code, int? started, int? ended) => new()
    {
        Spec = new StepSpec { Name = name, CommandType = "bash", CommandContent = "true" },
        State = state,
        Code = code,
        StartedAt = started is { } s ? T0.AddSeconds(s) : null,
        EndedAt = ended is { } e ? T0.AddSeconds(e) : null,
    };
}
