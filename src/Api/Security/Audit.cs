using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RemoteExecutor.Api.Security;

/// <summary>Records who did what through the API (submit, kill, pool resize) in the audit table.</summary>
public static class Audit
{
    /// <summary>
    /// Best effort: the action already happened, so a failing audit write is logged, never turned into an
    /// error answer that would make a client retry an accepted submit.
    /// </summary>
    public static async Task RecordAsync(HttpContext context, IGrainFactory grains, string action, string? task, string? step, string? node, string outcome)
    {
        context.Items[RecordedItem] = true;
        try
        {
            await Write(context, grains, action, task, step, node, outcome);
        }
        catch (Exception ex)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("RemoteExecutor.Audit")
                .LogError(ex, "Audit record of {Action} on {Task} could not be written", action, task);
        }
    }

    private static Task Write(HttpContext context, IGrainFactory grains, string action, string? task, string? step, string? node, string outcome) =>
        grains.GetGrain<IAuditGrain>(0).Record(new AuditEntry
        {
            At = DateTimeOffset.UtcNow,
            Actor = context.Items.TryGetValue(ApiAuthentication.ActorItem, out var actor) && actor is string a ? a : "anonymous",
            Client = context.Connection.RemoteIpAddress?.ToString() ?? "",
            Action = action,
            Task = task,
            Step = step,
            Node = node,
            Outcome = outcome,
        });

    /// <summary>Set on a request whose action was audited (so the outer <see cref="SubmitAudit"/> does not audit it again).</summary>
    public const string RecordedItem = "re-audited";

    /// <summary>Outcome text of a grain result.</summary>
    public static string Outcome(OpResult result) => result.IsSuccess ? "ok" : $"{(int)result.Code}: {result.Message}";
}
