using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RemoteExecutor.Api.Follow;

namespace RemoteExecutor.Api.Endpoints;

/// <summary><c>GET /api/v1/events</c>: every task's events, on every node, as Server-Sent Events read from the shared event log.</summary>
public static class EventStream
{
    public const string Description =
        "Server-Sent Events: the events of every task on every node as they are stored (`task.accepted`, `step.started`, " +
        "`step.finished`, `step.skipped`, `task.finished`, `task.killed`, `task.timed_out`); `data:` as on /api/v1/task/{task}/events, " +
        "`id:` = the event's number in the durable log (increasing). Starts after `Last-Event-ID` or `after` (0 = from the oldest " +
        "stored event; default: only new events), so a reconnect resumes without loss. Filters: `task`, `node`, `type` (repeatable " +
        "or comma-separated). A `: keep-alive` comment comes every 15 s of quiet. Works on any node (the log is in the shared database).";

    private const int PageSize = 500;
    private const int GapsPerRead = 200;
    private const int MaxGaps = 5000;

    /// <summary>How long an id skipped below the newest one seen is looked for again (ids may commit out of order).</summary>
    private static readonly TimeSpan GapWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapEventStream(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/events", Events).WithTags("Tasks").WithName("Events")
            .WithSummary("Follow every task's events (Server-Sent Events; filters task, node, type; resume with Last-Event-ID)")
            .WithDescription(Description)
            .Produces<string>(200, ConsoleStreams.EventStream).Produces<Envelope<object>>(400);
        app.MapGet("/api/v1/task/{task}/hooks", Deliveries).WithTags("Tasks").WithName("TaskHooks")
            .WithSummary("Webhook deliveries of a task: event, url, state (pending/delivered/failed), attempts, last HTTP status and error")
            .Produces<Envelope<List<HookDelivery>>>().Produces<Envelope<object>>(404);
        return app;
    }

    public static async Task<IResult> Deliveries(IGrainFactory grains, IReadModel readModel, string task)
    {
        if (await grains.GetTask(task).GetView() is null)
        {
            return ApiResults.Error(ResultCode.NotFound, $"task {task} not found");
        }

        return ApiResults.Ok(await readModel.TaskDeliveriesAsync(task));
    }

    public static async Task Events(HttpContext context, IReadModel readModel, string? task, string? node, long? after)
    {
        var types = context.Request.Query["type"].SelectMany(t => (t ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);
        long cursor;
        if (long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var last))
        {
            cursor = last;
        }
        else if (after is { } a)
        {
            if (a < 0)
            {
                await ApiResults.Error(ResultCode.ParameterError, "after must be >= 0").ExecuteAsync(context);
                return;
            }

            cursor = a;
        }
        else
        {
            // No start point: only what comes next.
            cursor = await readModel.LatestEventIdAsync();
        }

        var clock = context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System;
        var response = ConsoleStreams.PrepareEventStream(context);
        using var stop = ConsoleStreams.StopToken(context);
        var text = new StringBuilder();
        try
        {
            await response.StartAsync(stop.Token);
            var quietSince = clock.GetTimestamp();
            var position = new EventCursor(cursor, GapWindow, MaxGaps, clock);
            while (!stop.IsCancellationRequested)
            {
                // Ids skipped earlier first (an event committed late by another node), then the next page.
                var gaps = position.Gaps(GapsPerRead);
                var late = gaps.Count == 0 ? [] : await readModel.ReadEventsByIdsAsync(gaps, task ?? "", node ?? "");
                var rows = await readModel.ReadEventsAsync(position.HighWater, task ?? "", node ?? "", PageSize);
                text.Clear();
                var lastSent = 0L;
                foreach (var row in position.Take(late.Concat(rows), r => r.Id))
                {
                    if (types.Count == 0 || types.Contains(row.Type))
                    {
                        lastSent = row.Id;
                        text.Append("id: ").Append(row.Id.ToString(CultureInfo.InvariantCulture)).Append("\nevent: ").Append(row.Type)
                            .Append("\ndata: ").Append(JsonSerializer.Serialize(row.ToEvent())).Append("\n\n");
                    }
                }

                if (lastSent > 0 && lastSent < position.HighWater)
                {
                    // Only a late event went out: an id-only block moves the client's Last-Event-ID back to the top.
                    text.Append("id: ").Append(position.HighWater.ToString(CultureInfo.InvariantCulture)).Append("\n\n");
                }

                if (text.Length == 0 && clock.GetElapsedTime(quietSince) >= KeepAlive)
                {
                    text.Append(": keep-alive\n\n");
                }

                if (text.Length > 0)
                {
                    quietSince = clock.GetTimestamp();
                    if (!await ConsoleStreams.WriteAsync(response, text.ToString(), ConsoleStreams.Timing(context).StallCutOff, stop.Token))
                    {
                        context.Abort();
                        return;
                    }
                }

                if (rows.Count < PageSize)
                {
                    await Task.Delay(Poll, clock, stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left or the server stops.
        }
    }
}
