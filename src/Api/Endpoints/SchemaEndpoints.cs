using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RemoteExecutor.Api.Dtos;
using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api.Endpoints;

/// <summary>
/// <c>/schema/task.json</c>: the JSON Schema of the v2 submit body (JSON or YAML), generated from <see cref="TaskDto"/>,
/// for editors and linters. Open like the API documents: it describes the request shape and reveals nothing of the server.
/// </summary>
public static class SchemaEndpoints
{
    /// <summary>The route of the task schema.</summary>
    public const string TaskSchemaPath = "/schema/task.json";

    private static readonly Lazy<string> TaskSchemaText = new(() => TaskSchema().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public static IEndpointRouteBuilder MapSchemaEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(TaskSchemaPath, GetTaskSchema).WithTags("System").WithName("TaskSchema")
            .WithSummary("JSON Schema of the v2 submit body (JSON or YAML task files)")
            .Produces<JsonObject>(StatusCodes.Status200OK, "application/schema+json")
            .WithAccess(RouteAccess.Open);
        return app;
    }

    public static IResult GetTaskSchema() => Results.Text(TaskSchemaText.Value, "application/schema+json; charset=utf-8");

    /// <summary>The schema, built from the same type and serializer settings the submit binds with.</summary>
    public static JsonNode TaskSchema()
    {
        var options = new JsonSerializerOptions(JsonSerializerOptions.Default) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                var description = context.PropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false)
                    .OfType<DescriptionAttribute>().FirstOrDefault()?.Description;
                if (description is not null && node is JsonObject property)
                {
                    property.Insert(0, "description", description);
                }

                return node;
            },
        };
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(options, typeof(TaskDto), exporter);
        if (schema is JsonObject root)
        {
            var body = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["title"] = "RemoteExecutor task (POST /api/v2/task)",
                ["description"] = "A whole task: options and steps. Send it as JSON (application/json) or YAML (application/yaml).",
            };
            foreach (var (name, value) in root)
            {
                body[name] = value?.DeepClone();
            }

            return body;
        }

        return schema;
    }
}
