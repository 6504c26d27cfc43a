namespace RemoteExecutor.Silo.Hosting;

/// <summary>Background work that needs the whole host (silo and API) up before it starts.</summary>
public static class HostStarted
{
    /// <summary>Completes once the host has started (or throws when <paramref name="cancellationToken"/> fires first).</summary>
    public static async Task WaitStartedAsync(this IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(cancellationToken);
        }
    }
}
