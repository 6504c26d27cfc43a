namespace RemoteExecutor.Grains.Execution.Spawning;

/// <summary>Turns a raw <c>waitpid</c> status into the exit code a step reports (a signal <c>n</c> gives 128 + n, as .NET's <c>Process</c> does).</summary>
public static class ExitStatus
{
    /// <summary>The code of a status that is neither an exit nor a signal (a stop, or a child reaped by someone else).</summary>
    public const int Unknown = 255;

    /// <summary>Decodes <paramref name="status"/>: <c>WIFEXITED</c> gives <c>WEXITSTATUS</c>, <c>WIFSIGNALED</c> gives 128 + <c>WTERMSIG</c>.</summary>
    public static int Decode(int status)
    {
        var low = status & 0x7F;
        if (low == 0)
        {
            return (status >> 8) & 0xFF;
        }

        // 0x7F in the low bits is a stopped (or continued) child, not an end.
        return low == 0x7F ? Unknown : 128 + low;
    }
}
