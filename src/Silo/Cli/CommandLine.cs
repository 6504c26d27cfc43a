using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using RemoteExecutor.Api.Security;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Silo.Cli;

/// <summary>
/// The seed's command line: <c>remote_executor [flags] run</c>, <c>help</c>, <c>--version</c>; the client commands
/// (<c>submit</c>, <c>ls</c>, <c>get</c>, <c>logs</c>, <c>kill</c>, <c>pool</c>, <c>nodes</c>) talk to a running server.
/// </summary>
public static class CommandLine
{
    /// <summary>Exit code for a bad command line.</summary>
    public const int UsageError = 2;

    public static RootCommand Build(Func<SiloSettings, CancellationToken, Task<int>> run)
    {
        var addr = new Option<ListenAddress>("--addr")
        {
            Description = "host:port for execution",
            DefaultValueFactory = _ => new ListenAddress(null, 2376),
            CustomParser = r => Parse(r, (string s, out ListenAddress? v, out string e) => ListenAddress.TryParse(s, out v, out e)),
        };
        var normal = new Option<bool>("--normal") { Description = "on shutdown, wait for running and queued tasks to finish instead of killing them" };
        var debug = new Option<bool>("--debug") { Description = "enable debug messages" };
        var root = new Option<string>("--root")
        {
            Description = "working root directory (workspace, scripts, logs, data)",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "remote_executor"),
        };
        var keyExpire = Duration("--key_expire", "how long a finished task's records are kept, e.g. 1h", TimeSpan.FromHours(48));
        var auditExpire = Duration("--audit_expire", "how long audit log entries are kept, e.g. 720h", TimeSpan.FromDays(30));
        var execTimeout = Duration("--exec_timeout", "default step timeout, e.g. 30m", TimeSpan.FromHours(24));
        var timeout = Duration("--timeout", "timeout for serving one endpoint call", TimeSpan.FromSeconds(30));
        var maxRequests = Number("--max-requests", "maximum number of concurrent API requests; 0 disables the limit", 0, 0);
        var poolSize = Number("--pool_size", "size of the execution pool", 30, 1);
        var maxPoolSize = Number("--max_pool_size", "largest pool size --pool_size and a resize may ask for", 1024, 1);
        var database = new Option<string?>("--database")
        {
            Description = "PostgreSQL connection string: cluster mode (also REMOTE_EXECUTOR_DATABASE); absent = embedded SQLite",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("REMOTE_EXECUTOR_DATABASE") is { Length: > 0 } v ? v : null,
        };
        var node = new Option<string>("--node")
        {
            Description = "this node's name, unique in the cluster",
            DefaultValueFactory = _ => Environment.MachineName,
        };
        var siloPort = Number("--silo_port", "Orleans silo-to-silo port", 11111, 1, 65535);
        var advertise = new Option<IPAddress?>("--advertise")
        {
            Description = "IP address other silos reach this one at (default: first non-loopback address)",
            CustomParser = r => Parse(r, (string s, out IPAddress? v, out string e) =>
            {
                e = $"invalid IP address \"{s}\"";
                return IPAddress.TryParse(s, out v);
            }),
        };

        var token = new Option<string?>("--token")
        {
            Description = "API token (also REMOTE_EXECUTOR_TOKEN); default: <root>/data/token, created on first start",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("REMOTE_EXECUTOR_TOKEN") is { Length: > 0 } v ? v : null,
        };
        var insecure = new Option<bool>("--insecure") { Description = "turn authentication off (the old tool's behaviour); logs a warning every hour" };
        var metricsToken = new Option<string?>("--metrics_token") { Description = "token /metrics requires; default: /metrics is open" };
        var allowedOrigins = List(
            "--allowed_origins",
            "web origins (scheme://host[:port]) whose pages may call the API, comma-separated, repeatable; default: only the server's own",
            (string s, out string? v, out string e) =>
            {
                e = $"invalid origin \"{s}\": expected scheme://host[:port], e.g. https://ops.example.com";
                var ok = OriginAllowList.TryNormalize(s, out var normal);
                v = normal;
                return ok;
            });
        var allowedHosts = List(
            "--allowed_hosts",
            "with --insecure: Host header values answered besides localhost/127.0.0.1/[::1] and the listen address (name or name:port), comma-separated, repeatable",
            (string s, out string? v, out string e) =>
            {
                e = $"invalid host \"{s}\": expected name or name:port";
                v = s.Trim();
                return HostAllowList.TryParse(s, out _, out _);
            });

        // Webhooks (issue 12).
        var webhook = List(
            "--webhook",
            "URL that receives every task's events as CloudEvents POSTs (also REMOTE_EXECUTOR_WEBHOOK), comma-separated, repeatable",
            (string s, out string? v, out string e) =>
            {
                e = $"invalid webhook URL \"{s}\": expected an absolute http or https URL";
                v = s;
                return HookUrl.IsValid(s);
            });
        webhook.DefaultValueFactory = _ => Environment.GetEnvironmentVariable("REMOTE_EXECUTOR_WEBHOOK") is { Length: > 0 } w
            ? w.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
        var webhookRetry = Duration("--webhook_retry", "how long an undelivered webhook event is retried (exponential backoff), e.g. 24h", TimeSpan.FromHours(24));

        // Fleet (issue 14).
        var label = List(
            "--label",
            "label of this node as key=value (also REMOTE_EXECUTOR_LABELS=k=v,k=v), comma-separated, repeatable; fan-out targets select nodes by labels",
            (string s, out string? v, out string e) =>
            {
                v = s;
                return NodeLabels.TryParse(s, out _, out e);
            });
        label.DefaultValueFactory = _ => Environment.GetEnvironmentVariable("REMOTE_EXECUTOR_LABELS") is { Length: > 0 } l
            ? l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

        // Output bounds (issue 19).
        var maxLine = Size("--max_line", "longest console line; longer lines are stored in pieces ending with \"…[line continues]\"", 64 << 10, 256, 64 << 20);
        var maxOutput = Size("--max_output", "most output kept per step; beyond it output is dropped and the console says how much", 1L << 30, 1024, long.MaxValue);
        var uploadLimit = Size("--upload_limit", "largest file a workspace upload may write; larger ones get 413", 1L << 30, 1, long.MaxValue / 2);


        // Side doors (issue 19): secrets from files, and the Orleans transport.
        var tokenFile = PathOption("--token_file", "read the API token from this file (e.g. $CREDENTIALS_DIRECTORY/token): keeps it out of ps");
        var metricsTokenFile = PathOption("--metrics_token_file", "read the /metrics token from this file");
        var databaseFile = PathOption("--database_file", "read the PostgreSQL connection string from this file");
        var secretKeyFile = PathOption("--secret_key_file", "key (32 bytes, base64) secret env values are stored encrypted with; default <root>/data/secret.key, created on first start");
        var plugins = PathOption("--plugins", "directory of step plugins, one folder per plugin (.NET assemblies, or an executable named plugin); default <root>/plugins");
        var clusterCert = PathOption("--cluster_cert", "cluster mode: PEM certificate every node presents and requires (the same on every node)");
        var clusterKey = PathOption("--cluster_key", "cluster mode: PEM private key of --cluster_cert");
        var clusterInsecure = new Option<bool>("--cluster_insecure") { Description = "cluster mode without TLS between silos: anyone reaching the silo port can run commands" };
        var clusterId = new Option<string>("--cluster_id")
        {
            Description = "Orleans cluster and service id; stored rows are keyed by it (changing it hides existing tasks)",
            DefaultValueFactory = _ => SiloSettings.DefaultClusterId,
        };
        var gatewayPort = new Option<int?>("--gateway_port")
        {
            Description = "cluster mode: open an Orleans gateway on this port (TLS, client certificate = the cluster certificate); default: no gateway",
            CustomParser = r => Parse(r, (string s, out int? v, out string e) =>
            {
                e = $"expected a whole number from 1 to 65535, got \"{s}\"";
                v = int.TryParse(s, out var n) && n is >= 1 and <= 65535 ? n : null;
                return v is not null;
            }),
        };

        Option[] all = [addr, normal, debug, root, keyExpire, auditExpire, execTimeout, timeout, maxRequests, poolSize, database, node, siloPort, advertise, token, insecure, metricsToken,
            tokenFile, metricsTokenFile, databaseFile, secretKeyFile, clusterCert, clusterKey, clusterInsecure, clusterId, gatewayPort,
            maxPoolSize, allowedOrigins, allowedHosts, maxLine, maxOutput, plugins, uploadLimit, webhook, webhookRetry, label];
        var rootCommand = new RootCommand("OS Remote Executor: runs shell, PowerShell and Python scripts on this machine through an HTTP API");
        foreach (var option in all)
        {
            option.Recursive = true;
            rootCommand.Options.Add(option);
        }

        var runCommand = new Command("run", "Run server");
        runCommand.SetAction(async (result, ct) =>
        {
            if (result.GetValue(poolSize) > result.GetValue(maxPoolSize))
            {
                await Console.Error.WriteLineAsync(
                    $"remote_executor: error: --pool_size: {result.GetValue(poolSize)} is above --max_pool_size {result.GetValue(maxPoolSize)}, try --help");
                return UsageError;
            }

            var nodeName = Names.Sanitize(result.GetValue(node));
            var settings = new SiloSettings
            {
                Addr = result.GetValue(addr)!,
                Normal = result.GetValue(normal),
                Debug = result.GetValue(debug),
                Root = Path.GetFullPath(result.GetValue(root)!),
                KeyExpire = result.GetValue(keyExpire),
                AuditExpire = result.GetValue(auditExpire),
                ExecTimeout = result.GetValue(execTimeout),
                Timeout = result.GetValue(timeout),
                MaxRequests = result.GetValue(maxRequests),
                PoolSize = result.GetValue(poolSize),
                Database = result.GetValue(database),
                Node = nodeName.Length > 0 ? nodeName : "node",
                SiloPort = result.GetValue(siloPort),
                GatewayPort = result.GetValue(gatewayPort),
                Advertise = result.GetValue(advertise),
                Token = result.GetValue(token),
                Insecure = result.GetValue(insecure),
                MetricsToken = result.GetValue(metricsToken),
                SecretKeyFile = result.GetValue(secretKeyFile) is { } keyPath ? Path.GetFullPath(keyPath) : null,
                PluginsDir = result.GetValue(plugins) is { } pluginsPath ? Path.GetFullPath(pluginsPath) : null,
                ClusterCert = result.GetValue(clusterCert),
                ClusterKey = result.GetValue(clusterKey),
                ClusterInsecure = result.GetValue(clusterInsecure),
                ClusterId = result.GetValue(clusterId)!,
                MaxPoolSize = result.GetValue(maxPoolSize),
                AllowedOrigins = result.GetValue(allowedOrigins) ?? [],
                AllowedHosts = result.GetValue(allowedHosts) ?? [],
                MaxLine = (int)result.GetValue(maxLine),
                MaxOutput = result.GetValue(maxOutput),
                UploadLimit = result.GetValue(uploadLimit),
                Webhooks = result.GetValue(webhook) ?? [],
                WebhookRetry = result.GetValue(webhookRetry),
            };
            if (!NodeLabels.TryParseAll(result.GetValue(label) ?? [], out var labels, out var labelError))
            {
                // Only REMOTE_EXECUTOR_LABELS gets here: a bad --label is refused by its parser.
                await Console.Error.WriteLineAsync($"remote_executor: error: REMOTE_EXECUTOR_LABELS: {labelError}, try --help");
                return UsageError;
            }

            settings = settings with { Labels = labels };
            if (settings.Webhooks.FirstOrDefault(w => !HookUrl.IsValid(w)) is { } badHook)
            {
                await Console.Error.WriteLineAsync($"remote_executor: error: --webhook: \"{badHook}\" is not an absolute http or https URL, try --help");
                return UsageError;
            }

            var (complete, error) = WithSecretFiles(settings, result.GetValue(tokenFile), result.GetValue(metricsTokenFile), result.GetValue(databaseFile));
            error ??= complete is null ? null : TransportError(complete);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync($"remote_executor: error: {error}");
                return UsageError;
            }

            return await run(complete!, ct);
        });
        rootCommand.Subcommands.Add(runCommand);

        var certOut = new Option<string>("--out") { Description = "directory to write cluster.crt and cluster.key into (mode 0600)", Required = true };
        var certCommand = new Command("cluster-cert", "Write a fresh cluster certificate and key (PEM) for --cluster_cert/--cluster_key") { certOut };
        certCommand.SetAction(result =>
        {
            var (cert, key) = Hosting.ClusterCertificate.Write(Path.GetFullPath(result.GetValue(certOut)!), "remote-executor-cluster");
            Console.WriteLine($"wrote {cert} and {key}: copy both to every node, keep the key private");
            return 0;
        });
        rootCommand.Subcommands.Add(certCommand);

        Client.ClientCommands.Add(rootCommand, new Client.ClientCommands.Shared(token, tokenFile, root, node));

        var helpCommand = new Command("help", "Show help");
        helpCommand.SetAction(_ => rootCommand.Parse("--help").Invoke());
        rootCommand.Subcommands.Add(helpCommand);
        return rootCommand;
    }

    /// <summary>Parses and runs; a bad command line prints one line and exits with <see cref="UsageError"/>.</summary>
    public static async Task<int> InvokeAsync(string[] args, Func<SiloSettings, CancellationToken, Task<int>> run)
    {
        var parsed = Build(run).Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"remote_executor: error: {parsed.Errors[0].Message}, try --help");
            return UsageError;
        }

        if (parsed.CommandResult.Command is RootCommand && !parsed.Tokens.Any(t => t.Value is "--version" or "--help" or "-h" or "-?"))
        {
            await Console.Error.WriteLineAsync(
                "remote_executor: error: expected a command: run, submit, ls, get, logs, kill, pool, nodes, cluster-cert or help; try --help");
            return UsageError;
        }

        // The host handles SIGTERM/Ctrl-C itself (graceful stop, --normal may wait for hours): no forced exit here.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>Replaces the <c>--x_file</c> secrets by their contents; a flag given both ways or an unreadable file is an error.</summary>
    internal static (SiloSettings? Settings, string? Error) WithSecretFiles(SiloSettings settings, string? tokenFile, string? metricsTokenFile, string? databaseFile)
    {
        string? Read(string flag, string? path, string? direct, out string? error)
        {
            error = null;
            if (path is null)
            {
                return direct;
            }

            if (direct is not null)
            {
                error = $"{flag} and {flag[..^5]} exclude each other";
                return null;
            }

            if (!SecretFile.TryRead(flag, path, out var secret, out var readError))
            {
                error = readError;
                return null;
            }

            return secret;
        }

        var token = Read("--token_file", tokenFile, settings.Token, out var e1);
        var metrics = Read("--metrics_token_file", metricsTokenFile, settings.MetricsToken, out var e2);
        var database = Read("--database_file", databaseFile, settings.Database, out var e3);
        var error = e1 ?? e2 ?? e3;
        return error is null ? (settings with { Token = token, MetricsToken = metrics, Database = database }, null) : (null, error);
    }

    /// <summary>Cluster mode needs the cluster certificate (or an explicit opt-out); a gateway needs cluster mode.</summary>
    internal static string? TransportError(SiloSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.ClusterId))
        {
            return "--cluster_id must not be empty";
        }

        if (settings.Database is null)
        {
            return null;
        }

        if ((settings.ClusterCert is null) != (settings.ClusterKey is null))
        {
            return "--cluster_cert and --cluster_key go together";
        }

        if (settings.ClusterCert is null && !settings.ClusterInsecure)
        {
            return "cluster mode needs --cluster_cert and --cluster_key (create them with \"remote_executor cluster-cert --out DIR\"), or --cluster_insecure";
        }

        return settings.GatewayPort is not null && settings.ClusterCert is null
            ? "--gateway_port needs --cluster_cert and --cluster_key (gateway clients must present the cluster certificate)"
            : null;
    }

    private static Option<string?> PathOption(string name, string description) => new(name) { Description = description };

    private delegate bool TryParser<T>(string text, out T? value, out string error);

    private static T? Parse<T>(ArgumentResult result, TryParser<T> parser)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (parser(text, out var value, out var error))
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: {error}");
        return default;
    }

    private static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult option ? option.Option.Name : "value";

    private static Option<TimeSpan> Duration(string name, string description, TimeSpan fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => Parse(r, (string s, out TimeSpan v, out string e) =>
        {
            if (!GoDuration.TryParse(s, out v, out e))
            {
                return false;
            }

            if (v <= TimeSpan.Zero)
            {
                e = $"duration must be positive, got \"{s}\"";
                return false;
            }

            return true;
        }),
    };

    /// <summary>A repeatable, comma-separated list; each item checked (and normalised) by <paramref name="parser"/>.</summary>
    private static Option<string[]> List(string name, string description, TryParser<string> parser) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => [],
        CustomParser = r =>
        {
            var items = new List<string>();
            foreach (var item in r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (!parser(item, out var value, out var error))
                {
                    r.AddError($"{OptionName(r)}: {error}");
                    return [];
                }

                items.Add(value!);
            }

            return [.. items];
        },
    };

    private static Option<long> Size(string name, string description, long fallback, long min, long max) => new(name)
    {
        Description = $"{description} (bytes; K, M, G suffixes are binary)",
        DefaultValueFactory = _ => fallback,
        CustomParser = r => Parse(r, (string s, out long v, out string e) => ByteSize.TryParse(s, min, max, out v, out e)),
    };

    private static Option<int> Number(string name, string description, int fallback, int min, int max = int.MaxValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => Parse(r, (string s, out int v, out string e) =>
        {
            e = $"expected a whole number from {min}{(max == int.MaxValue ? " up" : $" to {max}")}, got \"{s}\"";
            return int.TryParse(s, out v) && v >= min && v <= max;
        }),
    };
}
