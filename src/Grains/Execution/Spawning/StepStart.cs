namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>What a step process is started with: the program, its arguments, working directory and whole environment.</summary>
internal sealed record StepStart(string Executable, IReadOnlyList<string> Arguments, string WorkingDirectory, IReadOnlyDictionary<string, string?> Environment);
