namespace RemoteExecutor.Tests.Harness;

/// <summary>One event of a <c>text/event-stream</c>: its <c>id:</c>, <c>event:</c> and <c>data:</c> fields.</summary>
public sealed record ServerSentEvent(string? Id, string Event, string Data);
