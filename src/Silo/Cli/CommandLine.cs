using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Silo.Cli;

/// <summary>The seed's command line: <c>remote_executor [flags] run</c>, <c>help</c>, <c>--version</c>.</summary>
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
        var execTimeout = Duration("--exec_timeout", "default step timeout, e.g. 30m", TimeSpan.FromHours(24));
        var timeout = Duration("--timeout", "timeout for serving one endpoint call", TimeSpan.FromSeconds(30));
        var maxRequests = Number("--max-requests", "maximum number of concurrent API requests; 0 disables the limit", 0, 0);
        var poolSize = Number("--pool_size", "size of the execution pool", 30, 1);
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
        var gatewayPort = Number("--gateway_port", "Orleans gateway port", 30000, 1, 65535);
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

        // Output bounds (issue 19).
        var maxLine = Size("--max_line", "longest console line; longer lines are stored in pieces ending with \"…[line continues]\"", 64 << 10, 256, 64 << 20);
        var maxOutput = Size("--max_output", "most output kept per step; beyond it output is dropped and the console says how much", 1L << 30, 1024, long.MaxValue);

        Option[] all = [addr, normal, debug, root, keyExpire, execTimeout, timeout, maxRequests, poolSize, database, node, siloPort, gatewayPort, advertise, token, insecure, metricsToken, maxLine, maxOutput];
        var rootCommand = new RootCommand("OS Remote Executor: runs shell, PowerShell and Python scripts on this machine through an HTTP API");
        foreach (var option in all)
        {
            option.Recursive = true;
            rootCommand.Options.Add(option);
        }

        var runCommand = new Command("run", "Run server");
        runCommand.SetAction((result, ct) =>
        {
            var nodeName = Names.Sanitize(result.GetValue(node));
            return run(new SiloSettings
            {
                Addr = result.GetValue(addr)!,
                Normal = result.GetValue(normal),
                Debug = result.GetValue(debug),
                Root = Path.GetFullPath(result.GetValue(root)!),
                KeyExpire = result.GetValue(keyExpire),
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
                MaxLine = (int)result.GetValue(maxLine),
                MaxOutput = result.GetValue(maxOutput),
            }, ct);
        });
        rootCommand.Subcommands.Add(runCommand);

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
            await Console.Error.WriteLineAsync("remote_executor: error: expected command \"run\" or \"help\", try --help");
            return UsageError;
        }

        // The host handles SIGTERM/Ctrl-C itself (graceful stop, --normal may wait for hours): no forced exit here.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

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
