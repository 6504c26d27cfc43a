using System.Text.Json;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Plugins;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Dag;

/// <summary>Turns a submitted task into a plan, or says precisely what is wrong with it.</summary>
public static class TaskPlanner
{
    /// <summary>Most steps one task may have.</summary>
    public const int MaxSteps = 1000;

    /// <summary>Longest timeout accepted for a task or a step.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(30);

    /// <summary>
    /// Validates <paramref name="spec"/>; returns the plan or an error message naming the problem. Steps whose
    /// <c>command_type</c> is not a script type are checked by the kind of that name in <paramref name="kinds"/>
    /// (the kinds of the node validating, which is the task's node).
    /// </summary>
    public static (TaskPlan? Plan, string? Error) Plan(TaskSpec spec, StepKindRegistry? kinds = null)
    {
        if (spec.Steps.Count == 0)
        {
            return (null, "the task has no steps: send at least one step");
        }

        if (spec.Steps.Count > MaxSteps)
        {
            return (null, $"the task has {spec.Steps.Count} steps; at most {MaxSteps} are allowed");
        }

        if (CheckTimeout(spec.Timeout, "timeout") is { } taskTimeoutError)
        {
            return (null, taskTimeoutError);
        }

        if (CheckEnv(spec.EnvVars, "env_vars") is { } taskEnvError)
        {
            return (null, taskEnvError);
        }

        if (spec.MaxParallel is { } maxParallel && maxParallel < 1)
        {
            return (null, $"max_parallel must be at least 1, got {maxParallel}");
        }

        var steps = new List<StepSpec>(spec.Steps.Count);
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Steps.Count; i++)
        {
            var raw = spec.Steps[i];
            var where = $"step[{i}]";
            var name = Names.Sanitize(raw.Name);
            if (name.Length == 0)
            {
                name = $"{spec.Id}-{i + 1}";
            }

            if (name.Length > Names.MaxLength)
            {
                return (null, $"{where}: name is longer than {Names.MaxLength} characters");
            }

            if (names.TryGetValue(name, out var first))
            {
                return (null, $"{where}: duplicate step name \"{name}\" (also step[{first}]; names keep only letters and digits)");
            }

            names[name] = i;
            if (string.IsNullOrWhiteSpace(raw.CommandType))
            {
                return (null, $"{where}: command_type is required");
            }

            var interpreter = CommandTypes.Find(raw.CommandType);
            var kind = interpreter is null ? kinds?.Find(raw.CommandType) : null;
            if (interpreter is null && kind is null)
            {
                var plugins = kinds is null || kinds.Names.Count == 0 ? "" : $"; step kinds: {string.Join(", ", kinds.Names)}";
                return (null, $"{where}: unknown command_type \"{raw.CommandType}\"; supported: {string.Join(", ", CommandTypes.Supported)}{plugins}");
            }

            if (kind is null && string.IsNullOrEmpty(raw.CommandContent))
            {
                return (null, $"{where}: command_content is required");
            }

            if (interpreter is not null && raw.With is not null)
            {
                return (null, $"{where}.with: settings are for step kinds; command_type {interpreter.Name} takes none");
            }

            if (CheckTimeout(raw.Timeout, $"{where}.timeout") is { } stepTimeoutError)
            {
                return (null, stepTimeoutError);
            }

            if (CheckEnv(raw.EnvVars, $"{where}.env_vars") is { } stepEnvError)
            {
                return (null, stepEnvError);
            }

            if (kind is not null && ValidateKind(kind, raw) is { } kindError)
            {
                return (null, $"{where}: {kindError}");
            }

            if (!StepConditions.TryParse(raw.When, out var when))
            {
                return (null, $"{where}.when: unknown value \"{raw.When}\"; use one of: {string.Join(", ", StepConditions.Names)}");
            }

            steps.Add(new StepSpec
            {
                When = when,
                Name = name,
                CommandType = interpreter?.Name ?? kind!.Name,
                CommandContent = raw.CommandContent ?? "",
                With = raw.With,
                EnvVars = raw.EnvVars ?? [],
                Timeout = raw.Timeout,
                Retry = raw.Retry,
            });
        }

        if (!spec.Async)
        {
            for (var i = 0; i < steps.Count; i++)
            {
                steps[i] = steps[i] with { DependsOn = i == 0 ? [] : [steps[i - 1].Name] };
            }

            return CheckConditions(steps) is { } sequentialError ? (null, sequentialError) : (new TaskPlan(steps), null);
        }

        for (var i = 0; i < steps.Count; i++)
        {
            var deps = new List<string>();
            foreach (var rawDep in spec.Steps[i].DependsOn ?? [])
            {
                var dep = Names.Sanitize(rawDep);
                if (!names.ContainsKey(dep))
                {
                    return (null, $"step \"{steps[i].Name}\": depends_on names unknown step \"{rawDep}\"");
                }

                if (dep == steps[i].Name)
                {
                    return (null, $"step \"{steps[i].Name}\": depends_on names the step itself");
                }

                if (!deps.Contains(dep))
                {
                    deps.Add(dep);
                }
            }

            steps[i] = steps[i] with { DependsOn = deps };
        }

        if (CheckConditions(steps) is { } conditionError)
        {
            return (null, conditionError);
        }

        var cycle = FindCycle(steps);
        if (cycle is not null)
        {
            return (null, $"depends_on forms a cycle: {string.Join(" -> ", cycle)}");
        }

        return (new TaskPlan(steps), null);
    }

    private static string? ValidateKind(StepKindEntry kind, StepRequest raw)
    {
        try
        {
            using var with = raw.With is null ? null : JsonDocument.Parse(raw.With);
            return kind.Kind.Validate(new StepDefinition(raw.CommandContent ?? "", with?.RootElement));
        }
        catch (JsonException)
        {
            return "with: not a JSON object";
        }
        catch (Exception ex)
        {
            // A plugin's validator that throws refuses the step; it must not fail the submit as a server error.
            return $"step kind {kind.Name} could not check the step: {ex.Message}";
        }
    }

    /// <summary>on_failure needs dependencies: without them the step could never run.</summary>
    private static string? CheckConditions(List<StepSpec> steps)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].When == StepCondition.OnFailure && steps[i].DependsOn.Count == 0)
            {
                return $"step[{i}].when: on_failure needs depends_on (a step without dependencies has no failure to react to)";
            }
        }

        return null;
    }

    private static string? CheckTimeout(TimeSpan? timeout, string field)
    {
        if (timeout is not { } t)
        {
            return null;
        }

        if (t <= TimeSpan.Zero)
        {
            return $"{field} must be positive, got {GoDuration.Format(t)}";
        }

        return t > MaxTimeout ? $"{field} must be at most {GoDuration.Format(MaxTimeout)}" : null;
    }

    private static string? CheckEnv(IReadOnlyList<string>? env, string field)
    {
        foreach (var entry in env ?? [])
        {
            if (!EnvEntries.TryParse(entry, out var name, out var value, out var secret))
            {
                return $"{field}: entry \"{EnvEntries.Masked([entry ?? ""])[0]}\" is not of the form NAME=value (or SECRET:NAME=value)";
            }

            if (name.Contains(' ', StringComparison.Ordinal))
            {
                return $"{field}: variable name \"{name}\" contains a space";
            }

            if (entry!.Contains('\0', StringComparison.Ordinal))
            {
                return $"{field}: entry contains a NUL character";
            }

            if (secret && value.Length is > 0 and < SecretMasker.MinLength)
            {
                return $"{field}: secret {name} is shorter than {SecretMasker.MinLength} characters; masking it would blank ordinary output, use a longer value";
            }
        }

        return null;
    }

    /// <summary>Returns the steps of one cycle (first repeated at the end), or null when the graph is acyclic.</summary>
    private static List<string>? FindCycle(IReadOnlyList<StepSpec> steps)
    {
        var byName = steps.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var color = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var root in steps)
        {
            if (color.GetValueOrDefault(root.Name) != 0)
            {
                continue;
            }

            // Iterative DFS: deep chains (1000 steps) must not overflow the stack.
            var stack = new Stack<(string Name, int Next)>();
            stack.Push((root.Name, 0));
            color[root.Name] = 1;
            path.Add(root.Name);
            while (stack.Count > 0)
            {
                var (name, next) = stack.Pop();
                var deps = byName[name].DependsOn;
                if (next < deps.Count)
                {
                    stack.Push((name, next + 1));
                    var dep = deps[next];
                    var c = color.GetValueOrDefault(dep);
                    if (c == 1)
                    {
                        var start = path.IndexOf(dep);
                        var cycle = path.GetRange(start, path.Count - start);
                        cycle.Add(dep);
                        return cycle;
                    }

                    if (c == 0)
                    {
                        color[dep] = 1;
                        path.Add(dep);
                        stack.Push((dep, 0));
                    }
                }
                else
                {
                    color[name] = 2;
                    path.RemoveAt(path.Count - 1);
                }
            }
        }

        return null;
    }
}
