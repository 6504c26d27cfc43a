namespace RemoteExecutor.Grains.Execution;

/// <summary>Settings of this node's engine, from the command line.</summary>
public sealed class EngineOptions
{
    /// <summary>Working root: <c>workspace/</c>, <c>scripts/</c>, <c>data/</c>, <c>logs/</c>.</summary>
    public string Root { get; set; } = Path.Combine(Path.GetTempPath(), "remote_executor");

    /// <summary>This node's name (unique in a cluster).</summary>
    public string Node { get; set; } = Environment.MachineName;

    /// <summary>This node's labels (<c>--label key=value</c>), which fan-out targets select nodes by.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    /// <summary>Default step timeout (<c>--exec_timeout</c>).</summary>
    public TimeSpan ExecTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a finished task's records are kept (<c>--key_expire</c>).</summary>
    public TimeSpan KeyExpire { get; set; } = TimeSpan.FromHours(48);

    /// <summary>How long audit log entries are kept (<c>--audit_expire</c>).</summary>
    public TimeSpan AuditExpire { get; set; } = TimeSpan.FromDays(30);

    /// <summary>URLs that receive every task's events (<c>--webhook</c>).</summary>
    public IReadOnlyList<string> Webhooks { get; set; } = [];

    /// <summary>How long an undelivered webhook event is retried (<c>--webhook_retry</c>).</summary>
    public TimeSpan WebhookRetry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Initial size of the worker pool (<c>--pool_size</c>).</summary>
    public int PoolSize { get; set; } = 30;

    /// <summary>Time a killed process group gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest console line in bytes (<c>--max_line</c>); longer lines are stored in marked pieces.</summary>
    public int MaxLine { get; set; } = 64 * 1024;

    /// <summary>Most output bytes kept per step (<c>--max_output</c>); the rest is read and dropped.</summary>
    public long MaxOutput { get; set; } = 1L << 30;

    /// <summary>
    /// Keeps the task and step grains of a live run activated until it ends (<c>DelayDeactivation</c>). Every entry
    /// point still works on recovered state; tests turn this off to prove it.
    /// </summary>
    public bool KeepRunsAlive { get; set; } = true;

    /// <summary>How long placement waits for a task's node to join before treating it as lost (half of <c>--timeout</c>).</summary>
    public TimeSpan PlacementWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long after the task deadline its reminder fires when no timer did (the grain was not active).</summary>
    public TimeSpan DeadlineGrace { get; set; } = TimeSpan.FromSeconds(30);

    public string WorkspaceDir(string task) => Path.Combine(Root, "workspace", task);

    public string ScriptDir(string task) => Path.Combine(Root, "scripts", task);
}
