using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RemoteExecutor.Api.Follow;

namespace RemoteExecutor.Api.Endpoints;

/// <summary><c>GET /api/v1/task/{task}/events</c>: the task's events as Server-Sent Events, replayed then live, until it is final.</summary>
public static class TaskEventStream
{
    public const string Description =
        "Server-Sent Events: every event of the task from its acceptance on (those that already happened first), then each new " +
        "one as it happens, until the task is final; then the stream closes. Events: `task.accepted`, `step.started`, " +
        "`step.finished`, `step.skipped`, and one of `task.finished`, `task.killed`, `task.timed_out`. `data:` = " +
        "`{\"task\",\"step\",\"state\",\"code\",\"msg\",\"node\",\"time\"}` (`step` empty for task events, `time` ISO 8601 UTC); " +
        "`id:` names the event within the task (`step.started:build`). A reconnect replays the whole sequence: drop ids already seen. " +
        "A `: keep-alive` comment comes every 15 s of quiet.";

    public static async Task TaskEvents(HttpContext context, IGrainFactory grains, string task)
    {
        var taskGrain = grains.GetTask(task);
        if (await taskGrain.GetView() is null)
        {
            await ApiResults.Error(ResultCode.NotFound, $"task {task} not found").ExecuteAsync(context);
            return;
        }

        var follower = new TaskEventFollower(() => taskGrain.GetView(), ConsoleStreams.Timing(context),
            context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System);
        var response = ConsoleStreams.PrepareEventStream(context);
        using var stop = ConsoleStreams.StopToken(context);
        var text = new StringBuilder();
        try
        {
            await response.StartAsync(stop.Token);
            await foreach (var batch in follower.FollowAsync(stop.Token))
            {
                text.Clear();
                if (batch.Count == 0)
                {
                    text.Append(": keep-alive\n\n");
                }

                foreach (var e in batch)
                {
                    text.Append("id: ").Append(e.Key).Append("\nevent: ").Append(e.Type).Append("\ndata: ").Append(JsonSerializer.Serialize(e)).Append("\n\n");
                }

                if (!await ConsoleStreams.WriteAsync(response, text.ToString(), ConsoleStreams.Timing(context).StallCutOff, stop.Token))
                {
                    context.Abort();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left or the server stops.
        }
    }
}
