using RemoteExecutor.Api.Security;

namespace RemoteExecutor.Api;

/// <summary>Settings the API needs from the host.</summary>
public sealed class ApiOptions
{
    /// <summary>Name of the node this API runs on (where submitted tasks run by default).</summary>
    public string Node { get; set; } = Environment.MachineName;

    /// <summary>Largest request body accepted.</summary>
    public long MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest file a workspace upload may write (<c>--upload_limit</c>).</summary>
    public long UploadLimit { get; set; } = 1L << 30;

    /// <summary>Set while the silo drains for a graceful stop: submits are refused.</summary>
    public bool Draining { get; set; }

    /// <summary>Why storage can no longer be trusted (database file deleted or replaced), or null: health and submits check it.</summary>
    public Func<string?> StorageFault { get; set; } = () => null;

    /// <summary>The API token; null = insecure mode (no authentication).</summary>
    public string? Token { get; set; }

    /// <summary>Token that <c>/metrics</c> requires; null = open.</summary>
    public string? MetricsToken { get; set; }

    /// <summary>Browser origins allowed besides the server's own (<c>--allowed_origins</c>).</summary>
    public OriginAllowList Origins { get; set; } = OriginAllowList.None;

    /// <summary><c>Host</c> header values answered; null = any (the check is on in insecure mode only).</summary>
    public HostAllowList? Hosts { get; set; }

    /// <summary>Largest pool size a resize may ask for (<c>--max_pool_size</c>).</summary>
    public int MaxPoolSize { get; set; } = 1024;

    /// <summary>"on" when API tokens are required, "off" in insecure mode.</summary>
    public string AuthMode => Token is null ? "off" : "on";

    /// <summary>The step kinds of this node (built-in and loaded plugins), fixed at start.</summary>
    public IReadOnlyList<Dtos.StepKindDto> StepKinds { get; set; } = [];

    /// <summary>Version string reported by <c>/version</c>.</summary>
    public string Version { get; set; } = "dev";
}
