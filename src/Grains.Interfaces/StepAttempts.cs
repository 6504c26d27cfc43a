namespace RemoteExecutor.Grains.Interfaces;

/// <summary>
/// How the attempts of a retried step are told apart: each attempt has its own execution run id (so the executor and
/// its registry never confuse two attempts) and, from the second on, its own console key <c>&lt;step&gt;#&lt;n&gt;</c>
/// (step names are letters and digits only, so the key cannot clash with a step).
/// </summary>
public static class StepAttempts
{
    /// <summary>The execution run id of attempt <paramref name="attempt"/> (1-based) of a step of run <paramref name="run"/>; the first is the run itself.</summary>
    public static Guid RunOf(Guid run, int attempt)
    {
        if (attempt <= 1)
        {
            return run;
        }

        Span<byte> bytes = stackalloc byte[16];
        run.TryWriteBytes(bytes);
        var tail = BitConverter.ToInt32(bytes[12..]) ^ attempt;
        BitConverter.TryWriteBytes(bytes[12..], tail);
        bytes[11] ^= 0x5A;
        return new Guid(bytes);
    }

    /// <summary>The console key of attempt <paramref name="attempt"/> of <paramref name="step"/>.</summary>
    public static string ConsoleKey(string step, int attempt) => attempt <= 1 ? step : $"{step}#{attempt}";
}
