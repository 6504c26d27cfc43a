using RemoteExecutor.Grains.Interfaces;
using RemoteExecutor.Grains.Tasks;

namespace RemoteExecutor.Tests.Unit;

public sealed class TaskEventLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly StepSpec A = new() { Name = "a", CommandType = "bash", CommandContent = "true" };

    [Fact]
    public void DispatchedStep_IsStartedBeforeItRuns_AndNotRecordedTwiceWhenItsStartArrives()
    {
        var log = new TaskEventLog();
        var run = Guid.NewGuid();
        var pending = View(ExecState.Running, new StepView { Spec = A, State = ExecState.Pending });

        var first = log.Pending(run, pending, [A], T0);
        Assert.Equal(["task.accepted", "step.started:a"], first.Select(e => e.Key));
        log.Recorded(first);

        var started = View(ExecState.Running, new StepView { Spec = A, State = ExecState.Running, StartedAt = T0 });
        Assert.Empty(log.Pending(run, started, [], T0));

        var done = View(ExecState.Stop, new StepView { Spec = A, State = ExecState.Stop, StartedAt = T0, EndedAt = T0.AddSeconds(1) });
        Assert.Equal(["step.finished:a", "task.finished"], log.Pending(run, done, [], T0).Select(e => e.Key));

        // Not marked recorded (a failed write): offered again. A new run starts from nothing.
        Assert.Equal(2, log.Pending(run, done, [], T0).Count);
        Assert.Equal(4, log.Pending(Guid.NewGuid(), done, [], T0).Count);
    }

    private static TaskView View(ExecState state, params StepView[] steps) => new()
    {
        Id = "t", Node = "n1", State = state, StartedAt = T0, EndedAt = state.IsFinal() ? T0.AddSeconds(2) : null, Steps = steps,
    };
}
