namespace RemoteExecutor.Plugins;

/// <summary>The console of one step. Safe to call from several threads; lines keep the order of the calls.</summary>
public interface IStepConsole
{
    /// <summary>
    /// Appends one line (a text with newlines becomes several lines). Awaiting it applies back-pressure when the
    /// console store is behind. Writes after the step has ended are dropped.
    /// </summary>
    ValueTask WriteLineAsync(string line);
}
