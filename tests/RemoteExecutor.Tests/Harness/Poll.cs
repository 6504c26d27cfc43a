namespace RemoteExecutor.Tests.Harness;

/// <summary>Waiting for something with a deadline, by polling: tests never sleep a fixed time.</summary>
public static class Poll
{
    /// <summary>Time between two looks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Deadline for a task that should finish quickly.</summary>
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="check"/> until it returns a value, or fails with what it last saw.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<(bool Done, T Value)>> check, TimeSpan deadline, Func<T?, string> describe)
    {
        var end = DateTimeOffset.UtcNow + deadline;
        T? last = default;
        while (true)
        {
            var (done, value) = await check();
            if (done)
            {
                return value;
            }

            last = value;
            if (DateTimeOffset.UtcNow > end)
            {
                throw new TimeoutException($"gave up after {deadline.TotalSeconds} s: {describe(last)}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Polls a condition until it holds, or fails with <paramref name="what"/>.</summary>
    public static Task UntilAsync(Func<Task<bool>> check, TimeSpan deadline, string what) =>
        UntilAsync(async () => (await check(), true), deadline, _ => what);

    /// <summary>Polls a synchronous condition until it holds, or fails with <paramref name="what"/>.</summary>
    public static Task UntilAsync(Func<bool> check, TimeSpan deadline, string what) =>
        UntilAsync(() => Task.FromResult(check()), deadline, what);
}
