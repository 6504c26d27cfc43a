using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api.Security;

/// <summary>
/// Bearer-token protection of every route, decided on the endpoint routing matched (so it runs after
/// <c>UseRouting</c> and before any handler: a refused request activates no grain). Only routes marked with
/// <see cref="WithAccess{TBuilder}"/> are open or take another credential; a request no route matches needs the token too
/// (401 without it, the 404 envelope with it).
/// </summary>
public static class ApiAuthentication
{
    /// <summary>HttpContext item holding who made the request (token id or "insecure"), for the audit log.</summary>
    public const string ActorItem = "re-actor";

    /// <summary>Marks the endpoints of <paramref name="builder"/> with what they ask of the caller.</summary>
    public static TBuilder WithAccess<TBuilder>(this TBuilder builder, RouteAccess access)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RouteAccessMetadata(access));

    public static WebApplication UseApiAuthentication(this WebApplication app, ApiOptions options)
    {
        app.Use(async (context, next) =>
        {
            var access = context.GetEndpoint()?.Metadata.GetMetadata<RouteAccessMetadata>()?.Access ?? RouteAccess.Token;
            var decision = AccessCheck.Decide(access, context.Request.Headers.Authorization, options.Token, options.MetricsToken);
            if (decision.Allowed)
            {
                if (decision.Actor is not null)
                {
                    context.Items[ActorItem] = decision.Actor;
                }

                await next(context);
                return;
            }

            if (decision.AskForBasic)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"RemoteExecutor dashboard (password: the API token)\"";
            }

            await ApiResults.Error(ResultCode.ParameterError, decision.Refusal!, StatusCodes.Status401Unauthorized).ExecuteAsync(context);
        });
        return app;
    }
}
