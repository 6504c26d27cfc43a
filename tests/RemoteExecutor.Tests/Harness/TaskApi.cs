using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemoteExecutor.Tests.Harness;

/// <summary>The HTTP API as a script would use it: submit, read, kill, wait.</summary>
public sealed class TaskApi
{
    /// <summary>Task states that do not change any more (<c>X-Task-STATE</c> names).</summary>
    public static readonly IReadOnlySet<string> FinalStateNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "Stop", "Killed", "Timeout", "System Error",
    };

    private readonly HttpClient _http;

    public TaskApi(HttpClient http) => _http = http;

    public Task<ApiAnswer> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    /// <param name="configure">Last touches before sending (headers such as Origin, Host, Authorization).</param>
    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, string? body = null, string contentType = "application/json", Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType);
        }

        configure?.Invoke(request);

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(",", values);
        }

        return new ApiAnswer(response.StatusCode, headers, response.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>v1 submit: steps in the body, options in <paramref name="query"/> (e.g. <c>id=x&amp;async=true</c>).</summary>
    public Task<ApiAnswer> SubmitV1Async(JsonArray steps, string? query = null, string path = "/api/v1/task") =>
        SendAsync(HttpMethod.Post, query is null ? path : $"{path}?{query}", steps.ToJsonString());

    /// <summary>v2 submit: the whole task object.</summary>
    public Task<ApiAnswer> SubmitV2Async(JsonObject task) => SendAsync(HttpMethod.Post, "/api/v2/task", task.ToJsonString());

    public Task<ApiAnswer> DetailAsync(string id) => GetAsync($"/api/v1/task/{Uri.EscapeDataString(id)}");

    public Task<ApiAnswer> ConsoleAsync(string id, string step) =>
        GetAsync($"/api/v1/task/{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(step)}/console");

    public Task<ApiAnswer> ListAsync(string? sort = null) => GetAsync(sort is null ? "/api/v1/task" : $"/api/v1/task?sort={sort}");

    public Task<ApiAnswer> KillTaskAsync(string id) => SendAsync(HttpMethod.Put, $"/api/v1/task/{Uri.EscapeDataString(id)}");

    public Task<ApiAnswer> KillStepAsync(string id, string step) =>
        SendAsync(HttpMethod.Put, $"/api/v1/task/{Uri.EscapeDataString(id)}/{Uri.EscapeDataString(step)}");

    /// <summary>Submits with v1 and fails the test unless the server accepted the task.</summary>
    public async Task<ApiAnswer> SubmitOkAsync(string id, JsonArray steps, string? extraQuery = null)
    {
        var query = $"id={Uri.EscapeDataString(id)}" + (extraQuery is null ? "" : "&" + extraQuery);
        var answer = await SubmitV1Async(steps, query);
        Assert.True(answer.Status == HttpStatusCode.OK && answer.Code == 0, $"submit of {id} refused: {answer}");
        return answer;
    }

    /// <summary>Submits and waits until the task is final; returns the final detail.</summary>
    public async Task<ApiAnswer> RunAsync(string id, JsonArray steps, string? extraQuery = null, TimeSpan? deadline = null)
    {
        await SubmitOkAsync(id, steps, extraQuery);
        return await WaitForFinalAsync(id, deadline);
    }

    /// <summary>Polls the detail until <c>X-Task-STATE</c> names a final state.</summary>
    public Task<ApiAnswer> WaitForFinalAsync(string id, TimeSpan? deadline = null) =>
        Poll.UntilAsync(
            async () =>
            {
                var detail = await DetailAsync(id);
                return (detail.Status == HttpStatusCode.OK && detail.Header("X-Task-STATE") is { } s && FinalStateNames.Contains(s), detail);
            },
            deadline ?? Poll.Short,
            last => $"task {id} did not finish; last detail: {last}");

    /// <summary>Polls the detail until one step satisfies <paramref name="predicate"/>.</summary>
    public Task<ApiAnswer> WaitForStepAsync(string id, string step, Func<JsonElement, bool> predicate, string what, TimeSpan? deadline = null) =>
        Poll.UntilAsync(
            async () =>
            {
                var detail = await DetailAsync(id);
                if (detail.Status != HttpStatusCode.OK)
                {
                    return (false, detail);
                }

                return (predicate(detail.Step(step)), detail);
            },
            deadline ?? Poll.Short,
            last => $"step {step} of task {id}: {what}; last detail: {last}");

    /// <summary>Polls until the step's process has started (state 1 with a start time).</summary>
    public Task<ApiAnswer> WaitForStepRunningAsync(string id, string step) =>
        WaitForStepAsync(id, step, s => s.GetProperty("state").GetInt32() == 1 && s.GetProperty("times").GetProperty("st").GetString() is { Length: > 0 }, "never ran");

    /// <summary>The console lines' contents, in order.</summary>
    public static List<string> Lines(ApiAnswer console) =>
        [.. console.Data.EnumerateArray().Select(l => l.GetProperty("content").GetString() ?? "")];

    /// <summary>The tasks of a list answer, by id.</summary>
    public static Dictionary<string, JsonElement> ListedTasks(ApiAnswer list) =>
        list.Data.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("id").GetString()!, t => t, StringComparer.Ordinal);
}
