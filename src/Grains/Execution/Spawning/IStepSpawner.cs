namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>Starts step processes; chosen once per node (<see cref="StepSpawners"/>).</summary>
internal interface IStepSpawner
{
    /// <summary>How steps are started, for the log: <c>posix_spawn</c> or <c>process</c>.</summary>
    string Name { get; }

    /// <summary>Starts the process; a <see cref="System.ComponentModel.Win32Exception"/> when it cannot be.</summary>
    Task<IStepProcess> StartAsync(StepStart start);
}
