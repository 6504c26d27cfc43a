namespace RemoteExecutor.Grains.Tasks;

/// <summary>
/// The decisions of a fan-out task, free of I/O: which target nodes a submit selects, which nodes start now under
/// <c>max_parallel</c>, when the error budget (<c>max_errors</c>) is spent and the nodes not started are skipped, and
/// the state, code and message the task shows from its runs. The task grain does what it says.
/// </summary>
public sealed class FanOutRuns
{
    private readonly FanOutTargets _targets;
    private readonly List<FanOutRun> _runs;

    public FanOutRuns(FanOutTargets targets, IEnumerable<FanOutRun> runs)
    {
        _targets = targets;
        _runs = [.. runs];
    }

    public IReadOnlyList<FanOutRun> Runs => _runs;

    /// <summary>
    /// The runs a submit starts with: one per selected node, in node order. A named node that is not live gets a final
    /// run at once (-999 "node X unreachable"); labels or <c>all</c> matching no live node is an error naming the selector.
    /// </summary>
    public static (IReadOnlyList<FanOutRun>? Runs, string? Error) Select(FanOutTargets targets, IReadOnlyList<NodeInfo> live, DateTimeOffset now)
    {
        if (targets.Nodes.Count > 0)
        {
            var names = live.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            return ([.. targets.Nodes.Distinct(StringComparer.Ordinal).Select(node => names.Contains(node)
                ? new FanOutRun { Node = node }
                : Unreachable(node, now))], null);
        }

        var selected = live.Where(n => targets.All || NodeLabels.Matches(n.Labels, targets.Labels)).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
        return selected.Count == 0
            ? (null, $"{targets.SelectorText()}: no live node matches; nothing would run")
            : ([.. selected.Select(node => new FanOutRun { Node = node })], null);
    }

    /// <summary>The final run of a node that could not be reached.</summary>
    public static FanOutRun Unreachable(string node, DateTimeOffset now, string? why = null) => new()
    {
        Node = node,
        State = ExecState.SystemError,
        Code = 0,
        Message = why is null ? $"node {node} unreachable" : $"node {node} unreachable: {why}",
        EndedAt = now,
        Failed = true,
    };

    public bool Contains(string node) => _runs.Any(r => r.Node == node);

    public FanOutRun this[string node] => _runs.First(r => r.Node == node);

    /// <summary>Runs handed to their node and not final yet.</summary>
    public int Running => _runs.Count(r => r.State == ExecState.Running);

    public int Failures => _runs.Count(r => r.Failed);

    /// <summary>More nodes failed than <c>max_errors</c> allows: nodes not started yet are skipped.</summary>
    public bool BudgetSpent => _targets.AllowedErrors(_runs.Count) is { } allowed && Failures > allowed;

    public bool IsFinished => _runs.All(r => r.State.IsFinal());

    /// <summary>
    /// The nodes to start now and marks them running: none while <paramref name="hold"/> (paused, delayed, ending) or
    /// once the error budget is spent; else pending nodes, in order, up to <c>max_parallel</c> running at once.
    /// </summary>
    public IReadOnlyList<string> Next(bool hold, DateTimeOffset now)
    {
        if (hold || BudgetSpent)
        {
            return [];
        }

        var room = _targets.MaxParallel is { } max ? Math.Max(0, max - Running) : int.MaxValue;
        var start = _runs.Where(r => r.State == ExecState.Pending).Take(room).Select(r => r.Node).ToList();
        foreach (var node in start)
        {
            Set(this[node] with { State = ExecState.Running, Dispatched = true, StartedAt = now, Message = "running" });
        }

        return start;
    }

    /// <summary>Applies a snapshot of a node's run; true when the run became final (a durable change).</summary>
    public bool Apply(string node, TaskView view)
    {
        if (!Contains(node) || this[node].State.IsFinal())
        {
            return false;
        }

        var run = this[node];
        if (!view.State.IsFinal())
        {
            Set(run with { Message = view.Message, Code = view.Code });
            return false;
        }

        Set(run with
        {
            State = view.State,
            Code = view.Code,
            Message = view.Message,
            EndedAt = view.EndedAt ?? run.StartedAt,
            Failed = view.Result != ResultCode.Success,
        });
        return true;
    }

    /// <summary>A node whose run could not be handed over or was lost: final at once; true when it changed.</summary>
    public bool Fail(string node, string message, DateTimeOffset now)
    {
        if (!Contains(node) || this[node].State.IsFinal())
        {
            return false;
        }

        Set(this[node] with { State = ExecState.SystemError, Message = message, EndedAt = now, Failed = true });
        return true;
    }

    /// <summary>A run the fan-out marked started whose node never stored it (a crash in between): it starts again.</summary>
    public void Restart(string node)
    {
        if (Contains(node) && this[node].State == ExecState.Running)
        {
            Set(this[node] with { State = ExecState.Pending, Dispatched = false, StartedAt = null, Message = "pending" });
        }
    }

    /// <summary>Skips every node not started yet (the task was killed or timed out, or the error budget is spent).</summary>
    public bool SkipPending(string message, DateTimeOffset now)
    {
        var skipped = false;
        foreach (var run in _runs.Where(r => r.State == ExecState.Pending).ToList())
        {
            Set(run with { State = ExecState.Skipped, Message = message, EndedAt = now });
            skipped = true;
        }

        return skipped;
    }

    /// <summary>Why nodes not started are skipped once the budget is spent.</summary>
    public string BudgetMessage() =>
        $"skipped: {Failures} node{(Failures == 1 ? "" : "s")} failed, more than max_errors {_targets.MaxErrorsText()} allows";

    /// <summary>Sum of the runs' codes.</summary>
    public int Code => _runs.Sum(r => r.Code);

    /// <summary>The business code a reader sees: success only when every node ran the task successfully.</summary>
    public ResultCode Result =>
        IsFinished ? (_runs.All(r => r.State == ExecState.Stop && !r.Failed) ? ResultCode.Success : ResultCode.ExecutionFailed)
        : _runs.Any(r => r.State != ExecState.Pending) ? ResultCode.InProgress
        : ResultCode.Pending;

    /// <summary>The state a live fan-out shows: running once a node was started.</summary>
    public ExecState LiveState => _runs.Any(r => r.Dispatched) ? ExecState.Running : ExecState.Pending;

    /// <summary>One line that says where the fan-out stands.</summary>
    public string Summary()
    {
        var total = _runs.Count;
        if (IsFinished)
        {
            if (Result == ResultCode.Success)
            {
                return $"all {Nodes(total)} executed successfully";
            }

            var failed = _runs.Where(r => r.State != ExecState.Skipped && (r.Failed || r.State != ExecState.Stop)).ToList();
            var skipped = _runs.Count(r => r.State == ExecState.Skipped);
            var parts = failed.Select(r => $"[Node: {r.Node}; {Describe(r)}]").ToList();
            if (skipped > 0)
            {
                parts.Add($"{Nodes(skipped)} skipped");
            }

            return $"execution failed on {failed.Count} of {Nodes(total)}: " + string.Join(", ", parts);
        }

        var running = _runs.Where(r => r.State == ExecState.Running).Select(r => $"[Node: {r.Node}]").ToList();
        var done = _runs.Count(r => r.State.IsFinal());
        return running.Count > 0
            ? $"currently executing on {Nodes(running.Count)} ({done} of {total} done): {string.Join(", ", running)}"
            : $"pending: waiting to start on {Nodes(total)}";
    }

    private static string Describe(FanOutRun run) => run.State switch
    {
        ExecState.Stop => string.IsNullOrEmpty(run.Message) ? $"code: {run.Code}" : run.Message,
        _ => string.IsNullOrEmpty(run.Message) ? run.State.DisplayName().ToLowerInvariant() : run.Message,
    };

    private static string Nodes(int count) => count == 1 ? "1 node" : $"{count} nodes";

    private void Set(FanOutRun run) => _runs[_runs.FindIndex(r => r.Node == run.Node)] = run;
}
