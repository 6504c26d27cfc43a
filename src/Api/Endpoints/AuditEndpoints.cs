using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>The audit log: who submitted, killed or resized what.</summary>
public static class AuditEndpoints
{
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/audit", ListAudit).WithTags("Audit").WithName("ListAudit")
            .WithSummary("Audit log, newest first (page from 1, size up to 1000)").Produces<Envelope<AuditList>>();
        return app;
    }

    public static async Task<IResult> ListAudit(IReadModel readModel, int? page, int? size)
    {
        var p = page ?? 1;
        var s = size ?? 50;
        if (p < 1 || s < 1 || s > MaxPageSize)
        {
            return ApiResults.Error(ResultCode.ParameterError, $"page must be >= 1 and size from 1 to {MaxPageSize}");
        }

        var result = await readModel.ListAuditAsync(p, s);
        return ApiResults.Ok(new AuditList(result.Total, p, s, [.. result.Entries.Select(e => new AuditItem(
            e.Id, Times.Format(e.At), e.At.ToUnixTimeMilliseconds(), e.Actor, e.Client, e.Action, e.Task, e.Step, e.Node, e.Outcome))]));
    }

    /// <summary>A page of the audit log.</summary>
    public sealed record AuditList(
        [property: JsonPropertyName("total")] long Total,
        [property: JsonPropertyName("page")] int Page,
        [property: JsonPropertyName("size")] int Size,
        [property: JsonPropertyName("entries")] IReadOnlyList<AuditItem> Entries);

    /// <summary>One audited action.</summary>
    public sealed record AuditItem(
        [property: JsonPropertyName("id")] long Id,
        [property: JsonPropertyName("time")] string Time,
        [property: JsonPropertyName("ts")] long Ts,
        [property: JsonPropertyName("actor")] string Actor,
        [property: JsonPropertyName("client")] string Client,
        [property: JsonPropertyName("action")] string Action,
        [property: JsonPropertyName("task")] string? Task,
        [property: JsonPropertyName("step")] string? Step,
        [property: JsonPropertyName("node")] string? Node,
        [property: JsonPropertyName("outcome")] string Outcome);
}
