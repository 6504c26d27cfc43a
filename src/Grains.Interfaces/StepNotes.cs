namespace RemoteExecutor.Grains.Interfaces;

/// <summary>Notes the engine adds to a step's message that readers must see even when the step succeeded.</summary>
public static class StepNotes
{
    /// <summary>The console store failed while the step ran: some output lines are missing; the result is the step's own.</summary>
    public const string ConsoleIncomplete = "console incomplete: some output lines could not be stored";
}
