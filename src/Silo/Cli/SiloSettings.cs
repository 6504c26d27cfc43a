using System.Net;

namespace RemoteExecutor.Silo.Cli;

/// <summary>Everything the command line says, validated.</summary>
public sealed record SiloSettings
{
    public required ListenAddress Addr { get; init; }
    public bool Normal { get; init; }
    public bool Debug { get; init; }
    public required string Root { get; init; }
    public TimeSpan KeyExpire { get; init; } = TimeSpan.FromHours(48);
    public TimeSpan AuditExpire { get; init; } = TimeSpan.FromDays(30);
    public TimeSpan ExecTimeout { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public int MaxRequests { get; init; }
    public int PoolSize { get; init; } = 30;

    /// <summary>PostgreSQL connection string; null = embedded SQLite.</summary>
    public string? Database { get; init; }
    public required string Node { get; init; }
    public int SiloPort { get; init; } = 11111;
    public IPAddress? Advertise { get; init; }

    /// <summary>API token given on the command line or in REMOTE_EXECUTOR_TOKEN; null = the token file.</summary>
    public string? Token { get; init; }

    /// <summary>No authentication at all (the old tool's behaviour).</summary>
    public bool Insecure { get; init; }

    /// <summary>Token <c>/metrics</c> requires; null = open.</summary>
    public string? MetricsToken { get; init; }

    // Orleans transport (issue 19).
    public const string DefaultClusterId = "remote-executor";

    /// <summary>Orleans gateway port; null = no gateway (the default: the API is hosted in the silo).</summary>
    public int? GatewayPort { get; init; }

    /// <summary>Directory of step plugins (<c>--plugins</c>); null = <c>&lt;root&gt;/plugins</c>.</summary>
    public string? PluginsDir { get; init; }

    /// <summary>File holding the key secret env values are sealed with (<c>--secret_key_file</c>); null = <c>&lt;root&gt;/data/secret.key</c>.</summary>
    public string? SecretKeyFile { get; init; }

    /// <summary>PEM certificate and key silos authenticate each other with (cluster mode).</summary>
    public string? ClusterCert { get; init; }

    public string? ClusterKey { get; init; }

    /// <summary>Cluster mode without TLS between silos (explicit opt-out).</summary>
    public bool ClusterInsecure { get; init; }

    /// <summary>Orleans cluster and service id (ServiceId keys the stored rows).</summary>
    public string ClusterId { get; init; } = DefaultClusterId;

    /// <summary>Largest pool size (<c>--max_pool_size</c>): the start size and every resize stay at or below it.</summary>
    public int MaxPoolSize { get; init; } = 1024;

    /// <summary>Web origins allowed to call the API besides the server's own, normalised (<c>--allowed_origins</c>).</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Extra <c>Host</c> values an insecure server answers (<c>--allowed_hosts</c>).</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>Longest console line in bytes (<c>--max_line</c>).</summary>
    public int MaxLine { get; init; } = 64 * 1024;

    /// <summary>Most output bytes kept per step (<c>--max_output</c>).</summary>
    public long MaxOutput { get; init; } = 1L << 30;

    /// <summary>This node's labels (<c>--label key=value</c>, REMOTE_EXECUTOR_LABELS).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>URLs that receive every task's events (<c>--webhook</c>).</summary>
    public IReadOnlyList<string> Webhooks { get; init; } = [];

    /// <summary>How long an undelivered webhook event is retried (<c>--webhook_retry</c>).</summary>
    public TimeSpan WebhookRetry { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Largest file a workspace upload may write (<c>--upload_limit</c>).</summary>
    public long UploadLimit { get; init; } = 1L << 30;
}
