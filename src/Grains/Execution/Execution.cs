namespace RemoteExecutor.Grains.Execution;

/// <summary>One queued or running process start and the way it is being stopped, if it is.</summary>
internal sealed class Execution : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();

    public Execution(ExecutionRequest request) => Request = request;

    public ExecutionRequest Request { get; }

    /// <summary>Cancelled when the execution is killed or times out.</summary>
    public CancellationToken StopToken => _stop.Token;

    private bool _sealed;

    public ExecState? StopReason { get; private set; }

    public string StopMessage { get; private set; } = "";

    /// <summary>Asks the execution to stop; the first reason wins.</summary>
    public bool Stop(ExecState reason, string message)
    {
        lock (_gate)
        {
            if (StopReason is not null || _sealed)
            {
                return false;
            }

            StopReason = reason;
            StopMessage = message;
            _stop.Cancel();
        }

        return true;
    }

    /// <summary>The process has exited on its own: later stop requests change nothing.</summary>
    public void Seal()
    {
        lock (_gate)
        {
            _sealed = true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _sealed = true;
            _stop.Dispose();
        }
    }
}
