using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using RemoteExecutor.Api;

namespace RemoteExecutor.Silo.Hosting;

/// <summary><c>--max-requests</c>: a cap on concurrent API requests; over it the answer is 429 at once, never a wait.</summary>
public static class RequestLimits
{
    public static void Add(IServiceCollection services, int maxRequests)
    {
        if (maxRequests <= 0)
        {
            return;
        }

        services.AddRateLimiter(o =>
        {
            // Probes stay answerable under load: a health check must not be told "too many requests".
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.Value is "/healthyz" or "/heartbeat" or "/metrics" or "/version"
                    ? RateLimitPartition.GetNoLimiter("probes")
                    : RateLimitPartition.GetConcurrencyLimiter("api", _ => new ConcurrencyLimiterOptions { PermitLimit = maxRequests, QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                await ApiResults.Error(ResultCode.InternalError, $"too many concurrent requests (--max-requests={maxRequests}); try again",
                    StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
        });
    }

    public static void UseRequestLimits(this WebApplication app, int maxRequests)
    {
        if (maxRequests > 0)
        {
            app.UseRateLimiter();
        }
    }
}
