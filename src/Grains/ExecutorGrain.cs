using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Grains;

/// <summary>The gate every process start of this silo passes; the supervisor does the work.</summary>
[StatelessWorker]
public sealed class ExecutorGrain : Grain, IExecutorGrain
{
    private readonly ProcessSupervisor _supervisor;

    public ExecutorGrain(ProcessSupervisor supervisor) => _supervisor = supervisor;

    public Task Start(ExecutionRequest request)
    {
        _supervisor.Start(request);
        return Task.CompletedTask;
    }

    public Task<bool> Kill(Guid run, string step, ExecState reason, string message) => Task.FromResult(_supervisor.Kill(run, step, reason, message));

    public Task<ExecutionStatus> GetStatus(Guid run, string step) => Task.FromResult(_supervisor.Status(run, step));
}
