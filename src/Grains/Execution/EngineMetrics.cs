using System.Diagnostics.Metrics;
using RemoteExecutor.Grains.Storage;

namespace RemoteExecutor.Grains.Execution;

/// <summary>The engine's own instruments (meter <see cref="MeterName"/>), exported on <c>/metrics</c>.</summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "RemoteExecutor";

    private readonly Meter _meter;
    private readonly Counter<long> _tasks;
    private readonly Counter<long> _steps;
    private readonly Histogram<double> _stepDuration;

    public EngineMetrics(IMeterFactory meters, ProcessSupervisor supervisor, ReadModelWriter writer, NodeActivity activity)
    {
        _meter = meters.Create(MeterName);
        _tasks = _meter.CreateCounter<long>("remote_executor.tasks.finished", "{task}", "Tasks that reached a final state");
        _steps = _meter.CreateCounter<long>("remote_executor.steps.finished", "{step}", "Steps that reached a final state");
        _stepDuration = _meter.CreateHistogram<double>("remote_executor.step.duration", "s", "Run time of step processes");
        _meter.CreateObservableGauge("remote_executor.pool.size", () => supervisor.Pool.Snapshot().Size, "{worker}", "Worker pool size");
        _meter.CreateObservableGauge("remote_executor.pool.running", () => supervisor.Pool.Snapshot().Running, "{step}", "Steps running");
        _meter.CreateObservableGauge("remote_executor.pool.waiting", () => supervisor.Pool.Snapshot().Waiting, "{step}", "Steps waiting for a worker");
        _meter.CreateObservableCounter("remote_executor.pool.accepted", () => supervisor.Pool.Snapshot().Total, "{step}", "Steps accepted since start");
        _meter.CreateObservableGauge("remote_executor.tasks.active", () => activity.Count, "{task}", "Unfinished tasks driven by this node");
        _meter.CreateObservableCounter("remote_executor.console.lines", () => writer.ConsoleLinesWritten, "{line}", "Console lines written to the store");
        supervisor.Finished += (state, _, duration) =>
        {
            _steps.Add(1, new KeyValuePair<string, object?>("state", state.DisplayName()));
            _stepDuration.Record(duration.TotalSeconds);
        };
    }

    /// <summary>Counts a finished task by state and result (success/failed).</summary>
    public void TaskFinished(ExecState state, bool succeeded) =>
        _tasks.Add(1, new KeyValuePair<string, object?>("state", state.DisplayName()), new KeyValuePair<string, object?>("result", succeeded ? "success" : "failed"));

    public void Dispose() => _meter.Dispose();
}
