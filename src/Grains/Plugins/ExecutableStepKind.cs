using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// The validating face of an executable plugin: any step is accepted at submit (the executable judges it when it
/// runs). The engine starts the executable itself, like a script interpreter; this object never runs a step.
/// </summary>
internal sealed class ExecutableStepKind(string name) : IStepKind
{
    public string Name { get; } = name;

    public string? Validate(StepDefinition step) => null;

    public Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("executable plugins are run as processes by the supervisor");
}
