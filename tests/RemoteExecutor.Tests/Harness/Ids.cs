namespace RemoteExecutor.Tests.Harness;

/// <summary>A new task id per test: a readable prefix and random hex.</summary>
public static class Ids
{
    public static string New(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12];
}
