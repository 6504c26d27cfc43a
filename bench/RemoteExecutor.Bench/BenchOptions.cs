using System.Globalization;

namespace RemoteExecutor.Bench;

/// <summary>Command line of the bench: <c>--name=value</c> flags, <c>--smoke</c> picks tiny defaults.</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        RemoteExecutor benchmark driver

          dotnet run -c Release --project bench/RemoteExecutor.Bench -- [flags]

        Server:
          --url=http://host:port   bench a running server (default: start src/Silo Release build on free ports)
          --pid=N                  with --url: the server's PID, to sample RSS/CPU from /proc
          --token=T                with --url: API token sent as `Authorization: Bearer T`
                                   (default: $REMOTE_EXECUTOR_TOKEN; a started server gets a fresh random token)
          --server=path.dll        server binary to start (default <repo>/src/Silo/bin/Release/net10.0/remote_executor.dll)
          --build                  always run `dotnet build src/Silo -c Release` first (default: only when missing)
          --pool_size=N            --pool_size of the started server (30)
          --keep                   keep the started server's temp root (and its log) instead of deleting it

        Output:
          --out=file               also append the BENCH_JSON line (without prefix) to this file
          --smoke                  tiny counts, for CI (well under a minute); never asserts timings

        Load (full / smoke defaults):
          --clients=N              concurrent submitting clients (16 / 16)
          --spawn_seconds=S        duration of the spawn-ceiling loop (3 / 1)
          --warmup=N               throughput: unmeasured tasks run first, for JIT/tiering (100 / 10)
          --tasks=N                throughput: single-step tasks (2000 / 50)
          --latency=N              latency: sequential tasks (200 / 5)
          --poll_ms=N              latency: pause between detail polls, 0 = back to back (1 / 1)
          --dag=N                  DAG: diamond tasks (200 / 5)
          --dag_width=N            DAG: middle steps of each diamond (8 / 8)
          --console_lines=N        console: lines printed by `seq N` (1000000 / 10000)
          --retained=N             memory/list: tasks retained in total (20000 / 200)
          --list_reps=N            list: repetitions, the median is reported (5 / 3)
          --follow_lines=N         follow: lines printed 50 ms apart and timed over SSE (200 / 40)
          --pollers=N              concurrent detail polls while waiting for a batch (4 / 4)
          --wait_timeout=S         give up waiting for one scenario after S seconds (900 / 60)
          --curve=1,4,16,64        curve: client counts, each a closed loop (submit, poll own task until finished, next)
                                   (1,4,16,64 / 1,4)
          --curve_tasks=N          curve: measured tasks per point, after one unmeasured task per client (1000 / 12)
          --calibrate=N            curve: detail GETs of a finished task, to price one poll in server CPU (400 / 40)
          --curve_warmup=N         curve: unmeasured tasks from 16 clients before the first point, so the JIT settles (1000 / 10)
          --soak                   add the soak scenario (never in the default set nor in --smoke)
          --soak_minutes=M         soak: duration (10)
          --soak_rate=N            soak: tasks/s (default 80 % of the best tasks/s of the curve, which then must run)
          --soak_clients=N         soak: closed-loop clients that take the paced submit slots (64)
          --scenarios=a,b          subset of spawn,throughput,curve,latency,dag,console,follow,memory,list,soak
                                   (all but soak; curve also measures the spawn ceiling)
        """;

    public Uri? Url { get; private set; }
    public int? Pid { get; private set; }
    public string? Token { get; private set; } = Environment.GetEnvironmentVariable("REMOTE_EXECUTOR_TOKEN") is { Length: > 0 } t ? t : null;
    public string? ServerDll { get; private set; }
    public bool Build { get; private set; }
    public int PoolSize { get; private set; } = 30;
    public bool Keep { get; private set; }
    public string? Out { get; private set; }
    public bool Smoke { get; private set; }
    public int Clients { get; private set; } = 16;
    public double SpawnSeconds { get; private set; } = 3;
    public int Warmup { get; private set; } = 100;
    public int Tasks { get; private set; } = 2000;
    public int Latency { get; private set; } = 200;
    public int PollMs { get; private set; } = 1;
    public int Dag { get; private set; } = 200;
    public int DagWidth { get; private set; } = 8;
    public int ConsoleLines { get; private set; } = 1_000_000;
    public int Retained { get; private set; } = 20_000;
    public int ListReps { get; private set; } = 5;
    public int Pollers { get; private set; } = 4;
    public int FollowLines { get; private set; } = 200;
    public TimeSpan WaitTimeout { get; private set; } = TimeSpan.FromSeconds(900);
    public IReadOnlyList<int> Curve { get; private set; } = [1, 4, 16, 64];
    public int CurveTasks { get; private set; } = 1000;
    public int Calibrate { get; private set; } = 400;
    public int CurveWarmup { get; private set; } = 1000;
    public double SoakMinutes { get; private set; } = 10;
    public double? SoakRate { get; private set; }
    public int SoakClients { get; private set; } = 64;
    public HashSet<string> Scenarios { get; private set; } = [.. DefaultScenarios];

    /// <summary>Every scenario, in the order they run.</summary>
    public static readonly string[] AllScenarios = ["spawn", "throughput", "curve", "latency", "dag", "console", "follow", "memory", "list", "soak"];

    /// <summary>What runs without <c>--scenarios</c>: everything but the long soak.</summary>
    public static readonly string[] DefaultScenarios = [.. AllScenarios.Where(s => s != "soak")];

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    /// <summary>Parses; returns null and an error on a bad command line, or null and no error for --help.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var options = new BenchOptions();
        var flags = new List<(string Name, string? Value)>();
        foreach (var arg in args)
        {
            if (arg is "-h" or "--help" or "-?")
            {
                return null;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"unexpected argument \"{arg}\"";
                return null;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? arg[2..] : arg[2..eq]).Replace('-', '_');
            flags.Add((name, eq < 0 ? null : arg[(eq + 1)..]));
        }

        if (flags.Any(f => f.Name == "smoke"))
        {
            options.Smoke = true;
            options.SpawnSeconds = 1;
            options.Warmup = 10;
            options.Tasks = 50;
            options.Latency = 5;
            options.Dag = 5;
            options.ConsoleLines = 10_000;
            options.FollowLines = 40;
            options.Retained = 200;
            options.ListReps = 3;
            options.Curve = [1, 4];
            options.CurveTasks = 12;
            options.Calibrate = 40;
            options.CurveWarmup = 10;
            options.WaitTimeout = TimeSpan.FromSeconds(60);
        }

        var addSoak = false;
        try
        {
            foreach (var (name, value) in flags)
            {
                switch (name)
                {
                    case "smoke":
                        break;
                    case "curve":
                        options.Curve = [.. Require(name, value).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(c => Int(name, c, 1)).Distinct().Order()];
                        break;
                    case "curve_tasks":
                        options.CurveTasks = Int(name, value, 1);
                        break;
                    case "calibrate":
                        options.Calibrate = Int(name, value, 0);
                        break;
                    case "curve_warmup":
                        options.CurveWarmup = Int(name, value, 0);
                        break;
                    case "soak":
                        addSoak = true;
                        break;
                    case "soak_minutes":
                        options.SoakMinutes = Positive(name, value);
                        break;
                    case "soak_rate":
                        options.SoakRate = Positive(name, value);
                        break;
                    case "soak_clients":
                        options.SoakClients = Int(name, value, 1);
                        break;
                    case "url":
                        options.Url = new Uri(Require(name, value).TrimEnd('/') + "/", UriKind.Absolute);
                        break;
                    case "pid":
                        options.Pid = Int(name, value, 1);
                        break;
                    case "token":
                        options.Token = Require(name, value);
                        break;
                    case "server":
                        options.ServerDll = Path.GetFullPath(Require(name, value));
                        break;
                    case "build":
                        options.Build = true;
                        break;
                    case "pool_size":
                        options.PoolSize = Int(name, value, 1);
                        break;
                    case "keep":
                        options.Keep = true;
                        break;
                    case "out":
                        options.Out = Path.GetFullPath(Require(name, value));
                        break;
                    case "clients":
                        options.Clients = Int(name, value, 1);
                        break;
                    case "spawn_seconds":
                        options.SpawnSeconds = double.Parse(Require(name, value), CultureInfo.InvariantCulture);
                        break;
                    case "warmup":
                        options.Warmup = Int(name, value, 0);
                        break;
                    case "tasks":
                        options.Tasks = Int(name, value, 1);
                        break;
                    case "latency":
                        options.Latency = Int(name, value, 1);
                        break;
                    case "poll_ms":
                        options.PollMs = Int(name, value, 0);
                        break;
                    case "dag":
                        options.Dag = Int(name, value, 1);
                        break;
                    case "dag_width":
                        options.DagWidth = Int(name, value, 1);
                        break;
                    case "console_lines":
                        options.ConsoleLines = Int(name, value, 1);
                        break;
                    case "retained":
                        options.Retained = Int(name, value, 1);
                        break;
                    case "list_reps":
                        options.ListReps = Int(name, value, 1);
                        break;
                    case "follow_lines":
                        options.FollowLines = Int(name, value, 1);
                        break;
                    case "pollers":
                        options.Pollers = Int(name, value, 1);
                        break;
                    case "wait_timeout":
                        options.WaitTimeout = TimeSpan.FromSeconds(Int(name, value, 1));
                        break;
                    case "scenarios":
                        var set = Require(name, value).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                            .Select(s => s.ToLowerInvariant()).ToHashSet();
                        var unknown = set.Except(AllScenarios).ToList();
                        if (unknown.Count > 0)
                        {
                            throw new FormatException($"unknown scenario(s) {string.Join(",", unknown)}; known: {string.Join(",", AllScenarios)}");
                        }

                        options.Scenarios = set;
                        break;
                    default:
                        throw new FormatException($"unknown flag --{name}");
                }
            }
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return null;
        }
        catch (OverflowException ex)
        {
            error = ex.Message;
            return null;
        }

        if (addSoak)
        {
            options.Scenarios.Add("soak");
        }

        if (options.Curve.Count == 0)
        {
            error = "--curve needs at least one client count";
            return null;
        }

        // The curve's rates are ratios of the spawn ceiling measured in the same run.
        if (options.Runs("curve"))
        {
            options.Scenarios.Add("spawn");
        }

        if (options.Runs("soak") && options.SoakRate is null && !options.Runs("curve"))
        {
            error = "the soak runs at 80 % of the curve's best tasks/s: run the curve too (--scenarios=curve,soak) or give --soak_rate=N";
            return null;
        }

        if (options.Pid is not null && options.Url is null)
        {
            error = "--pid only makes sense with --url";
            return null;
        }

        return options;
    }

    private static string Require(string name, string? value) =>
        string.IsNullOrWhiteSpace(value) ? throw new FormatException($"--{name} needs a value: --{name}=...") : value;

    private static double Positive(string name, string? value)
    {
        if (!double.TryParse(Require(name, value), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d) || d <= 0)
        {
            throw new FormatException($"--{name} must be a number > 0, got \"{value}\"");
        }

        return d;
    }

    private static int Int(string name, string? value, int min)
    {
        var text = Require(name, value).Replace("_", "", StringComparison.Ordinal);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min)
        {
            throw new FormatException($"--{name} must be a whole number >= {min}, got \"{value}\"");
        }

        return n;
    }
}
