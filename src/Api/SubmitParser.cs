using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Security;
using RemoteExecutor.Api.Yaml;

namespace RemoteExecutor.Api;

/// <summary>Reads a submit request (v1: steps in the body, options in the query; v2: whole task, JSON or YAML) into a spec.</summary>
public static class SubmitParser
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        MaxDepth = 32,
    };

    public static async Task<(TaskSpec? Spec, string? Error)> ReadV1Async(HttpRequest request, string defaultNode)
    {
        var (steps, error) = await ReadBodyAsync<List<StepDto>>(request, "a JSON array of steps");
        if (steps is null)
        {
            return (null, error);
        }

        var q = request.Query;
        if (!TryBool(q["async"], out var isAsync))
        {
            return (null, $"query parameter async must be true or false, got \"{q["async"]}\"");
        }

        int? maxParallel = null;
        if (!string.IsNullOrEmpty(q["max_parallel"]))
        {
            if (!int.TryParse(q["max_parallel"], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                return (null, $"query parameter max_parallel must be a whole number, got \"{Printable(q["max_parallel"]!)}\"");
            }

            maxParallel = n;
        }

        TargetsDto? targets = null;
        if (!string.IsNullOrWhiteSpace(q["targets"]))
        {
            try
            {
                targets = JsonSerializer.Deserialize<TargetsDto>(q["targets"]!, Json) ?? throw new JsonException("null");
            }
            catch (JsonException ex)
            {
                return (null, $"query parameter targets: expected a JSON object such as {{\"labels\":{{\"role\":\"web\"}}}}: {ex.Message}");
            }
        }

        var hooks = q["hook"].Select(url => new HookDto { Url = url }).ToList();
        var options = new TaskOptions(q["timeout"], q["node"], maxParallel, q["run_at"], q["delay"], hooks, "query parameter hook", targets);
        return Build(q["id"], options, [.. q["env_vars"].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)], isAsync, steps, defaultNode);
    }

    public static async Task<(TaskSpec? Spec, string? Error)> ReadV2Async(HttpRequest request, string defaultNode)
    {
        var (task, error) = BodyMediaType.IsYaml(request.ContentType)
            ? await ReadYamlAsync(request)
            : await ReadBodyAsync<TaskDto>(request, "a JSON task object");
        if (task is null)
        {
            return (null, error);
        }

        var options = new TaskOptions(task.Timeout, task.Node, task.MaxParallel, task.RunAt, task.Delay, task.Hooks ?? [], "hooks[{0}].url", task.Targets);
        return Build(task.Id, options, task.EnvVars ?? [], task.Async, task.Step ?? [], defaultNode);
    }

    /// <summary>The task-level options that come from the query (v1) or the body (v2).</summary>
    private sealed record TaskOptions(string? Timeout, string? Node, int? MaxParallel, string? RunAt, string? Delay, List<HookDto> Hooks, string HookField, TargetsDto? Targets);

    private static (TaskSpec? Spec, string? Error) Build(
        string? rawId, TaskOptions options, List<string> env, bool isAsync, List<StepDto> steps, string defaultNode)
    {
        var (node, timeout) = (options.Node, options.Timeout);
        if (rawId is not null && rawId.Length > 4 * Names.MaxLength)
        {
            return (null, $"id is too long: at most {Names.MaxLength} characters are kept");
        }

        if (rawId is not null && (rawId.Contains('/', StringComparison.Ordinal) || rawId.Contains('\\', StringComparison.Ordinal)
            || rawId.Contains("..", StringComparison.Ordinal) || rawId.Any(char.IsControl)))
        {
            return (null, "id must not contain path separators, \"..\" or control characters");
        }

        var id = Names.Sanitize(rawId);
        if (id.Length > Names.MaxLength)
        {
            return (null, $"id is too long: at most {Names.MaxLength} letters and digits");
        }

        if (id.Length == 0)
        {
            if (!string.IsNullOrEmpty(rawId))
            {
                return (null, $"id \"{Printable(rawId)}\" has no letters or digits");
            }

            id = Names.NewTaskId();
        }

        FanOutTargets? targets = null;
        if (options.Targets is { } rawTargets)
        {
            if (!string.IsNullOrWhiteSpace(node))
            {
                return (null, "targets and node are exclusive: name one node with node, or the nodes of a fan-out in targets.nodes");
            }

            (targets, var targetsError) = TargetsParser.Parse(rawTargets);
            if (targetsError is not null)
            {
                return (null, targetsError);
            }
        }

        var (taskTimeout, timeoutError) = ParseTimeout(timeout, "timeout");
        if (timeoutError is not null)
        {
            return (null, timeoutError);
        }

        var (delay, delayError) = ParseTimeout(options.Delay, "delay");
        if (delayError is not null)
        {
            return (null, delayError);
        }

        DateTimeOffset? runAt = null;
        if (!string.IsNullOrWhiteSpace(options.RunAt))
        {
            if (!Rfc3339.TryParse(options.RunAt, out var at))
            {
                return (null, $"run_at: \"{Printable(options.RunAt)}\" is not an RFC 3339 time with a zone, such as {Rfc3339.Example}");
            }

            runAt = at;
        }

        var hooks = new List<HookSpec>(options.Hooks.Count);
        for (var i = 0; i < options.Hooks.Count; i++)
        {
            var field = string.Format(System.Globalization.CultureInfo.InvariantCulture, options.HookField, i);
            var hook = options.Hooks[i];
            if (hook?.Url is not { } url || !HookUrl.IsValid(url))
            {
                return (null, $"{field}: \"{Printable(hook?.Url ?? "")}\" is not an absolute http or https URL");
            }

            hooks.Add(new HookSpec { Url = url, Events = hook.Events ?? [], Secret = hook.Secret ?? "" });
        }

        var requests = new List<StepRequest>(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            if (s is null)
            {
                return (null, $"step[{i}] is null");
            }

            var (stepTimeout, stepError) = ParseTimeout(s.Timeout, $"step[{i}].timeout");
            if (stepError is not null)
            {
                return (null, stepError);
            }

            var (retry, retryError) = ParseRetry(s.Retry, $"step[{i}].retry");
            if (retryError is not null)
            {
                return (null, retryError);
            }

            if (s.With is { } with && with.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                return (null, $"step[{i}].with: expected an object of settings, got {with.ValueKind.ToString().ToLowerInvariant()}");
            }

            requests.Add(new StepRequest
            {
                Name = s.Name,
                CommandType = s.CommandType,
                CommandContent = s.CommandContent,
                EnvVars = s.EnvVars,
                DependsOn = s.DependsOn,
                Timeout = stepTimeout,
                With = s.With is { ValueKind: JsonValueKind.Object } w ? w.GetRawText() : null,
                When = s.When,
                Retry = retry,
            });
        }

        return (new TaskSpec
        {
            Id = id,
            Timeout = taskTimeout,
            EnvVars = env,
            Async = isAsync,
            Steps = requests,
            Node = string.IsNullOrWhiteSpace(node) ? defaultNode : node.Trim(),
            MaxParallel = options.MaxParallel,
            RunAt = runAt,
            Delay = delay,
            Hooks = hooks,
            Targets = targets,
        }, null);
    }

    /// <summary>Checks a step's retry field; every error names the field it is about.</summary>
    public static (RetryPolicy? Value, string? Error) ParseRetry(RetryDto? retry, string field)
    {
        if (retry is null)
        {
            return (null, null);
        }

        if (retry.Limit is not { } limit)
        {
            return (null, $"{field}.limit: required (0..{RetryPolicy.MaxLimit})");
        }

        if (limit is < 0 or > RetryPolicy.MaxLimit)
        {
            return (null, $"{field}.limit: must be between 0 and {RetryPolicy.MaxLimit}, got {limit}");
        }

        var (backoff, backoffError) = ParseTimeout(retry.Backoff, $"{field}.backoff");
        if (backoffError is not null)
        {
            return (null, backoffError);
        }

        var (maxBackoff, maxError) = ParseTimeout(retry.MaxBackoff, $"{field}.max_backoff");
        if (maxError is not null)
        {
            return (null, maxError);
        }

        if (backoff < TimeSpan.Zero || maxBackoff < TimeSpan.Zero)
        {
            return (null, $"{field}.{(backoff < TimeSpan.Zero ? "backoff" : "max_backoff")}: must not be negative");
        }

        var codes = retry.OnExitCodes ?? [];
        for (var i = 0; i < codes.Count; i++)
        {
            if (codes[i] is < 1 or > 255)
            {
                return (null, $"{field}.on_exit_codes[{i}]: an exit code that fails a step is 1..255, got {codes[i]}");
            }
        }

        return (new RetryPolicy
        {
            Limit = limit,
            Backoff = backoff ?? RetryPolicy.DefaultBackoff,
            MaxBackoff = maxBackoff ?? RetryPolicy.DefaultMaxBackoff,
            OnExitCodes = [.. codes.Distinct()],
            OnTimeout = retry.OnTimeout ?? true,
        }, null);
    }

    private static (TimeSpan? Value, string? Error) ParseTimeout(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        return GoDuration.TryParse(text, out var value, out var error)
            ? (value, null)
            : (null, $"{field}: {error}");
    }

    private static async Task<(T? Value, string? Error)> ReadBodyAsync<T>(HttpRequest request, string what)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted);
            return value is null ? (null, $"the body must be {what}, got null") : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, $"malformed JSON body (expected {what}): {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new PayloadTooLargeException();
        }
    }

    private static async Task<(TaskDto? Value, string? Error)> ReadYamlAsync(HttpRequest request)
    {
        string text;
        try
        {
            using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
            text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new PayloadTooLargeException();
        }

        return TaskYaml.Read<TaskDto>(text, Json);
    }

    private static bool TryBool(string? text, out bool value)
    {
        value = false;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        switch (text.Trim().ToLowerInvariant())
        {
            case "true" or "1" or "yes":
                value = true;
                return true;
            case "false" or "0" or "no":
                return true;
            default:
                return false;
        }
    }

    private static string Printable(string s) =>
        new([.. s.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
}
