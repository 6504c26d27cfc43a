namespace RemoteExecutor.Grains.Dag;

/// <summary>
/// The moving part of a task's DAG: which steps may start, which can never run, and what the task as a
/// whole looks like. Pure logic over step views; the task grain feeds it events and acts on its answers.
/// </summary>
public sealed class DagRun
{
    private readonly StepView[] _steps;
    private readonly Dictionary<string, int> _index;

    public DagRun(IEnumerable<StepView> steps)
    {
        _steps = [.. steps];
        _index = new Dictionary<string, int>(_steps.Length, StringComparer.Ordinal);
        for (var i = 0; i < _steps.Length; i++)
        {
            _index[_steps[i].Spec.Name] = i;
        }
    }

    public IReadOnlyList<StepView> Steps => _steps;

    public bool IsFinished => _steps.All(s => s.State.IsFinal());

    public bool Contains(string step) => _index.ContainsKey(step);

    public StepView this[string step] => _steps[_index[step]];

    /// <summary>Replaces one step's view.</summary>
    public void Set(StepView view) => _steps[_index[view.Spec.Name]] = view;

    /// <summary>A step's process has started at <paramref name="at"/>; ignored unless the step is dispatched and unfinished.</summary>
    public bool Started(string step, DateTimeOffset at, int attempt = 1)
    {
        var view = this[step];
        if (view.State != ExecState.Running)
        {
            return false;
        }

        // A retry keeps the first attempt's start: the step's times span all its attempts.
        Set(view with { StartedAt = attempt > 1 ? view.StartedAt ?? at : at, Attempts = Math.Max(view.Attempts, attempt) });
        return true;
    }

    /// <summary>A step reached a final state; ignored when it already had one.</summary>
    public bool Apply(string step, StepOutcome outcome)
    {
        var view = this[step];
        if (view.State.IsFinal())
        {
            return false;
        }

        Set(view with
        {
            State = outcome.State,
            Code = outcome.Code,
            Message = outcome.Message,
            StartedAt = outcome.StartedAt ?? view.StartedAt,
            EndedAt = outcome.EndedAt,
            Outputs = outcome.Outputs,
            Attempts = outcome.StartedAt is null && outcome.Attempts <= 1 ? view.Attempts : outcome.Attempts,
        });
        return true;
    }

    /// <summary>
    /// What a step grain reported after a reactivation: its outcome, or that it was dispatched (running, with the
    /// durable start time when its process has started), or nothing (it stays pending and may start).
    /// </summary>
    public void Recover(string step, StepProgress progress)
    {
        if (progress.Outcome is { } outcome)
        {
            Apply(step, outcome);
        }
        else if (progress.Dispatched)
        {
            Set(this[step] with { State = ExecState.Running, StartedAt = progress.StartedAt, Attempts = progress.StartedAt is null && progress.Attempts <= 1 ? 0 : progress.Attempts });
        }
    }

    /// <summary>Steps handed to their step grains and not finished yet (queued in the pool or running).</summary>
    public int Dispatched => _steps.Count(s => s.State == ExecState.Running);

    /// <summary>
    /// Marks as running (and returns) the pending steps whose <c>when</c> condition is met, at most
    /// <paramref name="capacity"/> of them, in submission order; marks as skipped, transitively, every pending step
    /// that can never run. A step skipped only because its condition was not met carries <see cref="StepView.ConditionSkipped"/>.
    /// </summary>
    public IReadOnlyList<StepSpec> Advance(DateTimeOffset now, int capacity = int.MaxValue)
    {
        var ready = new List<StepSpec>();
        bool changed;
        do
        {
            changed = false;
            for (var i = 0; i < _steps.Length; i++)
            {
                var step = _steps[i];
                if (step.State != ExecState.Pending)
                {
                    continue;
                }

                var deps = step.Spec.DependsOn.Select(d => _steps[_index[d]]).ToList();
                var verdict = Decide(step.Spec.When, deps);
                if (verdict.Skip is { } reason)
                {
                    _steps[i] = step with { State = ExecState.Skipped, Message = reason, EndedAt = now, ConditionSkipped = verdict.ByCondition };
                    changed = true;
                }
                else if (verdict.Run && ready.Count < capacity)
                {
                    _steps[i] = step with { State = ExecState.Running, Message = "" };
                    ready.Add(step.Spec);
                }
            }
        }
        while (changed);

        return ready;
    }

    /// <summary>Whether a pending step runs now, waits, or is skipped (and why), from its condition and its dependencies.</summary>
    private static (bool Run, string? Skip, bool ByCondition) Decide(StepCondition when, List<StepView> deps)
    {
        var allFinal = deps.All(d => d.State.IsFinal());
        switch (when)
        {
            case StepCondition.Always:
                return (allFinal, null, false);
            case StepCondition.OnFailure:
                if (!allFinal)
                {
                    return (false, null, false);
                }

                return deps.Any(d => d.Failed)
                    ? (true, null, false)
                    : (false, "skipped: when is on_failure and no dependency failed", true);
            default:
                var blocker = deps.FirstOrDefault(d => d.State.IsFinal() && !d.Succeeded);
                if (blocker is null)
                {
                    return (deps.All(d => d.Succeeded), null, false);
                }

                // Skipped only because conditions were not met upstream: that is no failure of this task.
                var byCondition = !deps.Any(d => d.Failed);
                return (false, $"skipped: dependency {blocker.Spec.Name} did not succeed ({Describe(blocker)})", byCondition);
        }
    }

    /// <summary>Holds a step that has not started (state Paused); false when it is not pending (or already paused).</summary>
    public bool Hold(string step, string message)
    {
        var view = this[step];
        if (view.State is not (ExecState.Pending or ExecState.Paused))
        {
            return false;
        }

        Set(view with { State = ExecState.Paused, Message = message });
        return true;
    }

    /// <summary>Lets a held step wait for its turn again; false when it was not held.</summary>
    public bool Release(string step)
    {
        var view = this[step];
        if (view.State != ExecState.Paused)
        {
            return false;
        }

        Set(view with { State = ExecState.Pending, Message = "" });
        return true;
    }

    /// <summary>Skips every step that has not started, held ones too (the task was killed or timed out).</summary>
    public void SkipPending(string message, DateTimeOffset now)
    {
        for (var i = 0; i < _steps.Length; i++)
        {
            if (_steps[i].State is ExecState.Pending or ExecState.Paused)
            {
                _steps[i] = _steps[i] with { State = ExecState.Skipped, Message = message, EndedAt = now };
            }
        }
    }

    /// <summary>Sum of the steps' exit codes.</summary>
    public int Code => _steps.Sum(s => s.Code);

    /// <summary>The business code a reader sees for the task.</summary>
    public ResultCode ResultCode
    {
        get
        {
            if (_steps.Any(s => s.Failed))
            {
                return IsFinished ? ResultCode.ExecutionFailed : ResultCode.InProgress;
            }

            if (IsFinished)
            {
                return ResultCode.Success;
            }

            return _steps.Any(s => (s.State == ExecState.Running && s.StartedAt is not null) || s.Succeeded) ? ResultCode.InProgress : ResultCode.Pending;
        }
    }

    /// <summary>One line that says where the task stands.</summary>
    public string Summary()
    {
        if (IsFinished)
        {
            var failed = _steps.Where(s => s.Failed && s.State != ExecState.Skipped).ToList();
            if (failed.Count == 0 && !_steps.Any(s => s.Failed))
            {
                var bypassed = _steps.Count(s => s.ConditionSkipped);
                return bypassed == 0 ? "all steps executed successfully" : $"all steps executed successfully ({bypassed} skipped by their when condition)";
            }

            if (failed.Count == 0)
            {
                failed = [.. _steps.Where(s => s.Failed)];
            }

            return "execution failed: " + string.Join(", ", failed.Select(s => $"[Step: {s.Spec.Name}; {Describe(s)}]"));
        }

        var running = _steps.Where(s => s.State == ExecState.Running && s.StartedAt is not null).Select(s => $"[Step: {s.Spec.Name}]").ToList();
        return running.Count > 0 ? "currently executing: " + string.Join(", ", running) : "pending: waiting to start";
    }

    /// <summary>What happened to a finished step, in a few words.</summary>
    public static string Describe(StepView step) => step.State switch
    {
        ExecState.Stop => $"exit code: {step.Code}",
        ExecState.Killed => "was killed",
        ExecState.Timeout => "timed out",
        ExecState.Skipped => "was skipped",
        ExecState.SystemError => $"system error: {step.Message}",
        _ => step.State.DisplayName().ToLowerInvariant(),
    };

    /// <summary>
    /// The outputs of every step <paramref name="step"/> depends on, directly or not, as <c>TASK_OUTPUT_&lt;STEP&gt;_&lt;KEY&gt;</c>
    /// environment entries (nearer steps first is not promised: names differ by step anyway).
    /// </summary>
    public IReadOnlyList<string> OutputVariables(StepSpec step)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(step.DependsOn);
        var entries = new List<string>();
        while (queue.Count > 0)
        {
            var name = queue.Dequeue();
            if (!seen.Add(name) || !Contains(name))
            {
                continue;
            }

            var view = this[name];
            foreach (var output in view.Outputs)
            {
                var eq = output.IndexOf('=', StringComparison.Ordinal);
                entries.Add($"{Execution.StepOutputFile.VariableName(name, output[..eq])}={output[(eq + 1)..]}");
            }

            foreach (var dependency in view.Spec.DependsOn)
            {
                queue.Enqueue(dependency);
            }
        }

        return entries;
    }
}
