using RemoteExecutor.Api.Dtos;

namespace RemoteExecutor.Silo.Cli.Client;

/// <summary>
/// Follows a task (or one step) by polling: the task detail for the steps' states, and each started step's console from
/// the first line not yet seen (<c>?from=</c>), until the task reaches a final state and every step's output is read.
/// Polling works through every proxy and needs nothing but the documented routes.
/// </summary>
public sealed class TaskFollower(ApiClient api, IFollowView view, TimeSpan interval)
{
    /// <summary>Of a fan-out: the node whose run is read (<c>?node=</c>); null for a plain task.</summary>
    public string? Node { get; init; }

    /// <summary>Console lines asked for per request.</summary>
    public const int Page = 5000;

    private static readonly HashSet<string> FinalStates = new(StringComparer.Ordinal) { "Stop", "Killed", "Timeout", "System Error" };

    private readonly Dictionary<string, long> _next = new(StringComparer.Ordinal);

    public async Task<FollowOutcome> FollowTaskAsync(string task, CancellationToken ct)
    {
        var drained = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var detail = await api.GetAsync($"/api/v1/task/{ApiClient.Escape(task)}", ct);
            var steps = detail.Read<List<StepDetail>>();
            // The states were read before the lines: a step seen final has all its output stored.
            foreach (var step in steps.Where(s => (ExecState)s.State is not (ExecState.Pending or ExecState.Skipped) && !drained.Contains(s.Name)))
            {
                await ReadLinesAsync(task, step.Name, ct);
                if (((ExecState)step.State).IsFinal())
                {
                    drained.Add(step.Name);
                }
            }

            // After the lines: a view announces a step's end below its last line.
            view.Steps(task, detail.TaskState, steps);
            if (detail.TaskState is { } state && FinalStates.Contains(state))
            {
                return new FollowOutcome(detail.Code == 0, steps.Sum(s => (long)s.Code), state, detail.Message, steps);
            }

            await Task.Delay(interval, ct);
        }
    }

    public async Task<FollowOutcome> FollowStepAsync(string task, string step, CancellationToken ct)
    {
        while (true)
        {
            var code = await ReadLinesAsync(task, step, ct);
            if (code is not (1001 or 1004 or 1005))
            {
                var detail = await api.GetAsync($"/api/v1/task/{ApiClient.Escape(task)}{NodeQuery('?')}", ct);
                var steps = detail.Read<List<StepDetail>>();
                var own = steps.FirstOrDefault(s => s.Name == step);
                var state = own is null ? "Unknown" : ((ExecState)own.State).DisplayName();
                return new FollowOutcome(code == 0, own?.Code ?? 0, state, detail.Message, steps);
            }

            await Task.Delay(interval, ct);
        }
    }

    private string NodeQuery(char separator) => Node is null ? "" : $"{separator}node={ApiClient.Escape(Node)}";

    /// <summary>Reads and reports the step's lines not seen yet; returns the console envelope's code (1004 pending, 1001 running, 0 or 1002 done).</summary>
    public async Task<int> ReadLinesAsync(string task, string step, CancellationToken ct)
    {
        while (true)
        {
            var from = _next.GetValueOrDefault(step, 1);
            var reply = await api.GetAsync($"/api/v1/task/{ApiClient.Escape(task)}/{ApiClient.Escape(step)}/console?from={from}&limit={Page}{NodeQuery('&')}", ct);
            var lines = reply.Read<List<ConsoleLineDto>>();
            if (lines.Count > 0)
            {
                _next[step] = lines[^1].Line + 1;
                view.Lines(step, lines);
            }

            if (lines.Count < Page)
            {
                return reply.Code;
            }
        }
    }
}
