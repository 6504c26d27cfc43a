namespace RemoteExecutor.Api.Security;

/// <summary>What a route asks of the caller. Routes without <see cref="RouteAccessMetadata"/> need the API token.</summary>
public enum RouteAccess
{
    /// <summary>The API token as a bearer token (the default for every route, and for requests no route matches).</summary>
    Token,

    /// <summary>No token: probes and the API documents.</summary>
    Open,

    /// <summary><c>/metrics</c>: open, or the metrics token (or the API token) when <c>--metrics_token</c> is set.</summary>
    Metrics,

    /// <summary>The dashboard: the API token as a bearer token or as an HTTP Basic password, so a browser can prompt for it.</summary>
    Dashboard,
}
