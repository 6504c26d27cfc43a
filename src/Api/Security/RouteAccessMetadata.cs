namespace RemoteExecutor.Api.Security;

/// <summary>Endpoint metadata naming a route's <see cref="RouteAccess"/>; authentication reads it from the matched endpoint.</summary>
public sealed record RouteAccessMetadata(RouteAccess Access);
