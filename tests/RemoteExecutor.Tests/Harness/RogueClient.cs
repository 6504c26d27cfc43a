using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Harness;

/// <summary>
/// What an attacker on the network would write: a plain Orleans client (the well-known ids, optionally TLS with a
/// certificate of its own) that connects to a port and calls a task grain. The API token plays no part here.
/// </summary>
public static class RogueClient
{
    /// <summary>"called" when the grain call went through, otherwise how it failed.</summary>
    public static async Task<string> TryCallAsync(int port, X509Certificate2? certificate = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(port, "remote-executor", "remote-executor");
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));
            if (certificate is not null)
            {
                client.UseTls(certificate, tls =>
                {
                    tls.AllowAnyRemoteCertificate();
                    tls.OnAuthenticateAsClient = (_, o) => o.TargetHost = "remote-executor";
                });
            }
        });

        using var host = builder.Build();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await host.StartAsync(deadline.Token);
            var grains = host.Services.GetRequiredService<IClusterClient>();
            await grains.GetGrain<ITaskGrain>("t:rogue-probe").GetView().WaitAsync(deadline.Token);
            return "called";
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await host.StopAsync(stop.Token);
            }
            catch (Exception)
            {
                // Shutting a client down that never connected may throw; nothing to clean.
            }
        }
    }
}
