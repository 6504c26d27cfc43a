namespace RemoteExecutor.Plugins;

/// <summary>
/// A kind of step: what a step whose <c>command_type</c> is <see cref="Name"/> does. One instance serves every step
/// of that kind on the node, possibly several at once, so it keeps no per-step state in fields.
/// </summary>
/// <remarks>
/// A .NET plugin is an assembly under <c>&lt;root&gt;/plugins/&lt;folder&gt;/</c> holding public, non-abstract
/// classes with a public parameterless constructor that implement this interface. The engine runs each step inside
/// a pool slot, under the step's timeout and kill, and stores what it writes to <see cref="StepContext.Console"/>
/// exactly like a script's output (lines cut at <c>--max_line</c>, secrets masked, <c>--max_output</c> applied).
/// </remarks>
public interface IStepKind
{
    /// <summary>
    /// The <c>command_type</c> that selects this kind (matched case-insensitively). It must not collide with a script
    /// type (bash, sh, python3, ...) or a built-in kind (http, wasm): such a plugin is refused at load.
    /// </summary>
    string Name { get; }

    /// <summary>
    /// Checks one step at submit time, before anything runs. Returns null when the step is valid, else a short
    /// message naming what is wrong (it is sent back to the client in the 400 answer).
    /// </summary>
    string? Validate(StepDefinition step);

    /// <summary>
    /// Runs one step. Write the console through <see cref="StepContext.Console"/>; return the exit code (0 is
    /// success) and a message for a failure. When <paramref name="cancellationToken"/> fires (kill or timeout) stop
    /// promptly: the engine waits only the node's kill grace before reporting the step without you.
    /// </summary>
    Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken);
}
