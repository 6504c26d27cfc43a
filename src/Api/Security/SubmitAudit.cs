using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// Every refused submit is in the audit log, whichever layer refused it: authentication (401), body limits (413),
/// request limits (429), a failure (500) or a drain (503) answer before or around the handler, which audits only
/// what reaches it. Runs outermost, so it sees the final status; a submit the handler audited is not audited twice.
/// </summary>
public static class SubmitAudit
{
    private static readonly HashSet<string> SubmitPaths = new(StringComparer.OrdinalIgnoreCase) { "/", "/api/v1/task", "/api/v2/task" };

    public static WebApplication UseSubmitAudit(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!HttpMethods.IsPost(context.Request.Method) || !SubmitPaths.Contains(context.Request.Path.Value?.TrimEnd('/') is { Length: > 0 } p ? p : "/"))
            {
                await next(context);
                return;
            }

            try
            {
                await next(context);
            }
            finally
            {
                var status = context.Response.StatusCode;
                if (status != StatusCodes.Status200OK && !context.Items.ContainsKey(Audit.RecordedItem))
                {
                    var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
                    var id = context.Request.Query["id"].ToString();
                    await Audit.RecordAsync(context, grains, "submit", id.Length > 0 ? id : null, null, null, $"{status}: refused");
                }
            }
        });
        return app;
    }
}
