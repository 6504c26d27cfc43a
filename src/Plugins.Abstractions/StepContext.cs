namespace RemoteExecutor.Plugins;

/// <summary>Everything a step run gets from the engine.</summary>
public sealed class StepContext
{
    /// <summary>Creates a context; the engine builds these, tests of a plugin may too.</summary>
    public StepContext(string taskId, string stepName, string node, string workspaceDir, IReadOnlyDictionary<string, string> environment,
        IStepConsole console, StepDefinition step)
    {
        TaskId = taskId;
        StepName = stepName;
        Node = node;
        WorkspaceDir = workspaceDir;
        Environment = environment;
        Console = console;
        Step = step;
    }

    /// <summary>The task's id.</summary>
    public string TaskId { get; }

    /// <summary>The step's (sanitised) name.</summary>
    public string StepName { get; }

    /// <summary>The node running the step.</summary>
    public string Node { get; }

    /// <summary>The task's workspace directory (shared by its steps; exists when the step starts).</summary>
    public string WorkspaceDir { get; }

    /// <summary>
    /// The step's environment as a script would get it: the task's and step's <c>env_vars</c> (secrets already
    /// decrypted) and the <c>TASK_*</c> variables. The host's own environment is not included.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The step's console: every line written here is stored and streamed like a script's output.</summary>
    public IStepConsole Console { get; }

    /// <summary>The step as submitted.</summary>
    public StepDefinition Step { get; }
}
