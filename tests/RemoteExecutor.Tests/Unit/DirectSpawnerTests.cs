using RemoteExecutor.Grains.Execution.Spawning;

namespace RemoteExecutor.Tests.Unit;

/// <summary>The Linux direct spawn on its own: one ordered output pipe, exit codes, stdin, the group kill.</summary>
public sealed class DirectSpawnerTests
{
    private static readonly Lazy<DirectSpawner?> Spawner = new(() => DirectSpawner.TryCreate(out _));

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static StepStart Sh(string script) => new("/bin/sh", ["-c", script], Path.GetTempPath(), new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" });

    private static async Task<string> ReadAllAsync(IStepProcess process)
    {
        using var reader = new StreamReader(Assert.Single(process.Outputs));
        return await reader.ReadToEndAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task StartAsync_StdoutAndStderr_ComeOnOnePipeInWriteOrder_WithTheExitCode()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var spawner = Spawner.Value ?? throw new InvalidOperationException("the direct spawn is unavailable here");
        using var process = await spawner.StartAsync(Sh("echo one; echo two >&2; echo three; read line; echo \"got $line\" >&2; exit 3"));
        await process.WriteInputAsync("input\n");
        Assert.Equal("one\ntwo\nthree\ngot input\n", await ReadAllAsync(process));
        await process.WaitForExitAsync(CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal(3, process.ExitCode);
        Assert.Equal(process.Id, process.Group);
    }

    [Fact]
    public async Task KillTreeAsync_TermEndsTheLeaderAndItsBackgroundChild()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var spawner = Spawner.Value ?? throw new InvalidOperationException("the direct spawn is unavailable here");
        using var process = await spawner.StartAsync(Sh("sleep 29.7533 & echo started; wait"));
        await process.WriteInputAsync(null);
        using var reader = new StreamReader(Assert.Single(process.Outputs));
        Assert.Equal("started", await reader.ReadLineAsync().WaitAsync(Deadline));

        Assert.True(await process.KillTreeAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(128 + 15, process.ExitCode);
        // The background sleep held the pipe: it ends only when the whole group is gone.
        Assert.Null(await reader.ReadLineAsync().WaitAsync(Deadline));
    }
}
