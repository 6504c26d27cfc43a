using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace RemoteExecutor.Api.OpenApi;

/// <summary>Registers the OpenAPI document (<c>/openapi/v1.json</c>) with everything that makes it teach the API.</summary>
public static class ApiDocumentation
{
    public static IServiceCollection AddApiDocumentation(this IServiceCollection services)
    {
        // Numbers are numbers: no "integer or string" schemas, no quoted numbers accepted where a number is meant.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<ApiDocumentTransformer>();
            o.AddDocumentTransformer<BearerSecurityTransformer>();
            o.AddOperationTransformer<ApiOperationTransformer>();
        });
        return services;
    }
}
