using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api.OpenApi;

/// <summary>
/// Completes each operation of the document: the query options of the v1 submit (the handler reads them itself),
/// a meaning for every parameter, example request bodies, real envelope examples for every answer, the error
/// answers every protected route can give, and no token requirement on the open probes.
/// </summary>
public sealed class ApiOperationTransformer : IOpenApiOperationTransformer
{
    private static readonly HashSet<string> V1Submits = ["SubmitTask", "SubmitTaskRoot"];

    private static readonly Dictionary<string, string> ParameterMeanings = new(StringComparer.Ordinal)
    {
        ["task"] = "The task id (letters, digits and CJK ideographs; other characters are removed at submit).",
        ["step"] = "The step name within the task.",
        ["from"] = "First line to return: a 1-based, inclusive line number (default 1).",
        ["limit"] = "Most lines to return (default and maximum 20000).",
        ["sort"] = "`et` sorts by end time; default: by start time.",
        ["action"] = "What to do: `kill` (also when absent), `pause` (no new step starts; running steps go on; a step that has not started waits) or `resume`. Any other value: 400, code 1000.",
        ["duration"] = "With `action=pause`: the pause ends by itself after this Go duration (`30s`, `5m`, `2h`; at most 720h), also across a restart. Empty: until `action=resume`.",
        ["node"] = "A node of the cluster (its `--node` name); default: the node that receives the request.",
        ["page"] = "Page number, from 1.",
        ["size"] = "Entries per page.",
        ["path"] = "A path relative to the task's workspace, `/`-separated (`out/report.txt`); `..`, absolute paths and links leading outside are refused (400).",
    };

    /// <summary>The task list pages with its own defaults (a client that never pages keeps the old whole list).</summary>
    private static readonly Dictionary<string, string> TaskListMeanings = new(StringComparer.Ordinal)
    {
        ["page"] = "Page number, from 1 (default 1).",
        ["size"] = $"Tasks per page, from 1 to {Endpoints.ListPaging.MaxSize} (default {Endpoints.ListPaging.MaxSize}). `total` in the answer counts all tasks.",
    };

    private static readonly HashSet<string> TaskLists = ["ListTasks", "ListTasksRoot"];

    /// <summary>On the reads of a task, <c>node</c> picks one node's run of a fan-out.</summary>
    private static readonly HashSet<string> TaskReads = ["TaskDetail", "TaskDetailRoot", "StepConsole", "StepConsoleRoot"];

    private const string NodeReadMeaning =
        "A fan-out task (submitted with `targets`): read its run on this node, as an ordinary task's detail or console "
        + "(all console options apply, following included). Required on the console of a fan-out; a node that is not one "
        + "of the task's targets: 404, code 1003.";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var id = operation.OperationId ?? "";
        if (V1Submits.Contains(id))
        {
            AddSubmitQuery(operation);
        }

        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter r && r.Name == "node" && TaskReads.Contains(id))
            {
                r.Description = NodeReadMeaning;
            }

            if (parameter is OpenApiParameter p && string.IsNullOrEmpty(p.Description) && p.Name is { } name
                && ((TaskLists.Contains(id) && TaskListMeanings.TryGetValue(name, out var meaning)) || ParameterMeanings.TryGetValue(name, out meaning)))
            {
                p.Description = meaning;
            }
        }

        if (operation.RequestBody?.Content is { } bodies)
        {
            foreach (var (type, media) in bodies)
            {
                if (id == "SubmitTaskV2" && !BodyMediaType.IsYaml(type))
                {
                    // Two shapes of one body: a task on one node, and a fan-out (targets) across the fleet.
                    media.Example = null;
                    media.Examples = new Dictionary<string, IOpenApiExample>
                    {
                        ["task"] = new OpenApiExample { Summary = "A task on one node (the receiving node, or node)", Value = ApiExamples.V2Task() },
                        ["fanout"] = new OpenApiExample { Summary = "A fan-out: the task on every node labelled role=web, 2 at a time", Value = ApiExamples.V2FanOut() },
                    };
                    continue;
                }

                media.Example = id switch
                {
                    _ when BodyMediaType.IsYaml(type) => ApiExamples.V2TaskYaml(),
                    "ResizePool" => ApiExamples.PoolResize(),
                    _ when V1Submits.Contains(id) => ApiExamples.V1Steps(),
                    _ => media.Example,
                };
            }
        }

        operation.Responses ??= [];
        // The same marker authentication decides on: the document cannot disagree with the server.
        var open = context.Description.ActionDescriptor.EndpointMetadata.OfType<RouteAccessMetadata>().LastOrDefault()?.Access == RouteAccess.Open;
        if (open)
        {
            // An empty list overrides the document-wide bearer requirement: no token needed.
            operation.Security = [];
        }
        else
        {
            AddError(operation, 401, "No token, or not the API token");
            AddError(operation, 500, "Internal error; the message says what failed");
        }

        if (operation.RequestBody is not null)
        {
            AddError(operation, 400, "Bad body or query; the message names the field");
            AddError(operation, 413, "Body larger than the limit");
            var types = operation.RequestBody.Content?.Keys.ToList() ?? [];
            AddError(operation, 415, types.Any(BodyMediaType.IsYaml) ? "Content-Type is not application/json or a YAML type"
                : types.Any(BodyMediaType.IsOctetStream) ? "Content-Type is not application/octet-stream or multipart/form-data"
                : "Content-Type is not application/json");
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse r || r.Content is null || !int.TryParse(status, out var code))
            {
                continue;
            }

            var example = code == 200 ? ApiExamples.Success(id) : ApiExamples.Error(code);
            foreach (var media in r.Content.Values)
            {
                if (code == 200 && id is "TaskDetail" or "TaskDetailRoot" && media.Example is null && media.Examples is null)
                {
                    // A task's detail, and a fan-out's (runs beside the steps, each step's state on every node).
                    media.Examples = new Dictionary<string, IOpenApiExample>
                    {
                        ["task"] = new OpenApiExample { Summary = "A task on one node, running", Value = example?.DeepClone() },
                        ["fanout"] = new OpenApiExample { Summary = "A fan-out on three nodes, running", Value = ApiExamples.FanOutDetail() },
                    };
                    continue;
                }

                media.Example ??= example?.DeepClone();
            }
        }

        return Task.CompletedTask;
    }

    private static void AddSubmitQuery(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(Query("id", JsonSchemaType.String, null,
            "Task id. Only letters, digits and CJK ideographs are kept (`my_task-1` becomes `mytask1`); empty: a new time-sortable id. Submitting the id of a finished task runs it again; of a pending or running one is refused (409)."));
        operation.Parameters.Add(Query("timeout", JsonSchemaType.String, null,
            "Timeout of the whole task, Go style (`90s`, `30m`, `1h30m`); empty: none (each step still has its own)."));
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "env_vars",
            In = ParameterLocation.Query,
            Description = "`NAME=value` for every step (repeat the parameter for more). `SECRET:NAME=value` hides the value in answers and output.",
            Explode = true,
            Style = ParameterStyle.Form,
            Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        });
        operation.Parameters.Add(Query("async", JsonSchemaType.Boolean, JsonValue.Create(false),
            "`true`: run the steps as a DAG from their `depends_on`; `false`: one after another in array order."));
        operation.Parameters.Add(Query("node", JsonSchemaType.String, null,
            "Cluster: the node that runs the task; default: the node that receives the request."));
        operation.Parameters.Add(Query("targets", JsonSchemaType.String, null,
            "Fan-out (exclusive with `node`): the same JSON object as the v2 body field `targets`, e.g. "
            + "`{\"labels\":{\"role\":\"web\"},\"max_parallel\":2,\"max_errors\":\"10%\"}` or `{\"all\":true}`; the whole task runs on each selected node."));
        operation.Parameters.Add(Query("max_parallel", JsonSchemaType.Integer, null,
            "At most this many of the task's steps run at once (at least 1), whatever the pool size, e.g. `2`; empty: no bound."));
        operation.Parameters.Add(Query("run_at", JsonSchemaType.String, null,
            "Start the task at this RFC 3339 time with its zone, e.g. `2026-12-01T08:00:00Z` (at most `--key_expire` ahead). The task is accepted at once and waits as pending (state 2, code 1004); it can be paused or killed meanwhile."));
        operation.Parameters.Add(Query("delay", JsonSchemaType.String, null,
            "Start the task this long after it is accepted, Go style, e.g. `10m` (at most `--key_expire`); exclusive with `run_at`."));
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "hook",
            In = ParameterLocation.Query,
            Description = "Webhook URL (absolute http/https; repeat for more) that receives every event of the task as a CloudEvents 1.0 JSON POST (unsigned; use the v2 `hooks` field for a secret and an event filter).",
            Explode = true,
            Style = ParameterStyle.Form,
            Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        });
    }

    private static OpenApiParameter Query(string name, JsonSchemaType type, JsonNode? fallback, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Schema = new OpenApiSchema { Type = type, Default = fallback },
    };

    private static void AddError(OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = EnvelopeSchema(), Example = ApiExamples.Error(status) },
            },
        };
    }

    private static OpenApiSchema EnvelopeSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "The envelope of every answer.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "Business code: 0, 500, 1000-1005." },
            ["message"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The error text, else the code's name." },
            ["timestamp"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Description = "Unix time in nanoseconds." },
            ["data"] = new OpenApiSchema { Type = JsonSchemaType.Null, Description = "Empty on errors." },
        },
    };
}
