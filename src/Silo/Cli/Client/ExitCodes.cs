namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>What a followed task or step ends the CLI with, so CI pipelines can branch on it.</summary>
public static class ExitCodes
{
    /// <summary>A request failed (HTTP error, unreachable server, bad task file).</summary>
    public const int Failure = 1;

    /// <summary>
    /// 0 when it succeeded; otherwise its exit code (the sum of the steps' codes) kept within 1..255, and 1 when the
    /// code says nothing (killed, timed out, refused to start with code 0).
    /// </summary>
    public static int ForOutcome(bool succeeded, long code) =>
        succeeded ? 0 : code <= 0 ? Failure : (int)Math.Min(code, 255);
}
