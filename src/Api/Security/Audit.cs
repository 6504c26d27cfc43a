using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api.Security;

/// <summary>Records who did what through the API (submit, kill, pool resize) in the audit table.</summary>
public static class Audit
{
    public static Task RecordAsync(HttpContext context, IGrainFactory grains, string action, string? task, string? step, string? node, string outcome) =>
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

    /// <summary>Outcome text of a grain result.</summary>
    public static string Outcome(OpResult result) => result.IsSuccess ? "ok" : $"{(int)result.Code}: {result.Message}";
}
