namespace RemoteExecutor.Grains;

/// <summary>Durable state of a task grain. Written when the task is accepted, when a pause starts or ends, and when it finishes.</summary>
[GenerateSerializer, Alias("re.TaskState")]
public sealed class TaskState
{
    [Id(0)] public string? Id { get; set; }
    [Id(1)] public string Node { get; set; } = "";
    [Id(2)] public Guid Run { get; set; }
    [Id(3)] public ExecState State { get; set; }
    [Id(4)] public TimeSpan? Timeout { get; set; }
    [Id(5)] public List<string> EnvVars { get; set; } = [];
    [Id(6)] public bool Async { get; set; }
    /// <summary>Step views: all pending when accepted, final when the task finished.</summary>
    [Id(7)] public List<StepView> Steps { get; set; } = [];
    [Id(8)] public DateTimeOffset? StartedAt { get; set; }
    [Id(9)] public DateTimeOffset? EndedAt { get; set; }
    /// <summary>Absolute task deadline, when the task has a timeout.</summary>
    [Id(10)] public DateTimeOffset? Deadline { get; set; }
    /// <summary>Set when the whole task was killed or timed out.</summary>
    [Id(11)] public ExecState? EndReason { get; set; }
    [Id(12)] public string EndMessage { get; set; } = "";
    /// <summary>At most this many steps run at once (the task field <c>max_parallel</c>).</summary>
    [Id(13)] public int? MaxParallel { get; set; }
    /// <summary>A delayed task starts no step before this time.</summary>
    [Id(14)] public DateTimeOffset? StartAt { get; set; }
    /// <summary>Pauses in force; written when a pause is set or ends.</summary>
    [Id(15)] public List<PauseHold> Holds { get; set; } = [];
    /// <summary>The task's webhooks and the server's (--webhook), secrets sealed.</summary>
    [Id(16)] public List<HookSpec> Hooks { get; set; } = [];
    /// <summary>A fan-out task: the nodes it runs on (null for any other task).</summary>
    [Id(17)] public FanOutTargets? Targets { get; set; }
    /// <summary>A fan-out's runs, one per target node; written when a node starts and when its run ends.</summary>
    [Id(18)] public List<FanOutRun> Runs { get; set; } = [];
    /// <summary>One node's run of a fan-out: the fan-out task it reports to.</summary>
    [Id(19)] public string? Parent { get; set; }
    /// <summary>The fan-out's run this node's run belongs to.</summary>
    [Id(20)] public Guid ParentRun { get; set; }

    public bool Exists => Id is not null;
}
