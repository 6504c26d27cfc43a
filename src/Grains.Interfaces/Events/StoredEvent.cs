namespace RemoteExecutor.Grains.Interfaces;

/// <summary>One row of the durable event log: its cluster-wide <see cref="Id"/> (increasing) and the event.</summary>
[GenerateSerializer, Immutable, Alias("re.StoredEvent")]
public sealed record StoredEvent
{
    [Id(0)] public long Id { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required string Task { get; init; }
    [Id(3)] public required string Step { get; init; }
    [Id(4)] public int State { get; init; }
    [Id(5)] public int Code { get; init; }
    [Id(6)] public required string Msg { get; init; }
    [Id(7)] public required string Node { get; init; }
    [Id(8)] public required string Time { get; init; }

    /// <summary>The event as the follow routes and webhooks carry it.</summary>
    public TaskEvent ToEvent() => new(Type, Task, Step, State, Code, Msg, Node, Time);
}
