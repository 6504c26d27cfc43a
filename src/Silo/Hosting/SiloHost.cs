using System.Net;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Storage;
using RemoteExecutor.Api;
using RemoteExecutor.Api.Endpoints;
using RemoteExecutor.Api.OpenApi;
using RemoteExecutor.Api.Security;
using RemoteExecutor.Api.WebUi;
using RemoteExecutor.Grains.Hooks;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Plugins;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Silo.Cli;
using Scalar.AspNetCore;
using Serilog;
using Serilog.Events;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>Builds and runs the one process: an Orleans silo co-hosting the HTTP API.</summary>
public static class SiloHost
{
    public static string Version =>
        typeof(SiloHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";

    public static async Task<int> RunAsync(SiloSettings settings, CancellationToken cancellationToken)
    {
        OwnerOnly.RestrictUmask();
        Log.Logger = CreateLogger(settings, toFile: false);
        var log = Log.ForContext("SourceContext", "RemoteExecutor.Silo");
        X509Certificate2? certificate;
        try
        {
            certificate = SiloTransport.Certificate(settings, settings.Database is null ? DatabaseKind.Sqlite : DatabaseKind.PostgreSql);
        }
        catch (InvalidDataException ex)
        {
            await Console.Error.WriteLineAsync($"remote_executor: error: {ex.Message}");
            await Log.CloseAndFlushAsync();
            return CommandLine.UsageError;
        }

        try
        {
            CreateRoot(settings.Root);
            (Log.Logger as IDisposable)?.Dispose();
            Log.Logger = CreateLogger(settings, toFile: true);
            log = Log.ForContext("SourceContext", "RemoteExecutor.Silo");
            CheckPorts(settings);

            var database = settings.Database is { } cs
                ? new Database(DatabaseKind.PostgreSql, cs)
                : Database.ForSqliteFile(Path.Combine(settings.Root, "data", "remote_executor.db"));
            var bootLogger = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("RemoteExecutor.Schema");
            await SchemaInstaller.InstallAsync(database, bootLogger, cancellationToken);

            if (certificate is null && database.Kind == DatabaseKind.PostgreSql)
            {
                log.Warning("--cluster_insecure: silo-to-silo traffic is neither encrypted nor authenticated; anyone who reaches port {Port} can run commands on every node", settings.SiloPort);
            }

            if (settings.GatewayPort is not null && database.Kind == DatabaseKind.Sqlite)
            {
                log.Warning("--gateway_port is ignored on a single node: the API is the only way in");
            }

            var app = Build(settings, database, certificate);
            var url = ReadyUrl(ListenAddressOf(settings));
            app.Lifetime.ApplicationStarted.Register(() => log.Information(
                "RemoteExecutor {Version} ready: {Url} (API docs {Docs}, dashboard {Dashboard}, {Token}); node {Node}, root {Root}, storage {Storage}",
                Version, url, url + "scalar", url + "dashboard/", TokenNote(settings), settings.Node, settings.Root, database.Kind));
            if (settings.Insecure && settings.Addr.Host is null)
            {
                log.Warning("--insecure: listening on loopback only (localhost:{Port}); name an address in --addr to listen elsewhere", settings.Addr.Port);
            }
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (StartFailure(ex) is { } line)
        {
            // One line for the operator; the stack trace only with --debug.
            if (settings.Debug)
            {
                log.Fatal(ex, "{Reason}", line);
            }
            else
            {
                log.Fatal("{Reason}", line);
            }

            return 1;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.Fatal(ex, "RemoteExecutor stopped on an error");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>Console (and, once the root exists, rolling files); every line names its source; known noise dropped.</summary>
    private static Serilog.Core.Logger CreateLogger(SiloSettings settings, bool toFile)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(settings.Debug ? LogEventLevel.Debug : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .MinimumLevel.Override("Orleans", settings.Debug ? LogEventLevel.Information : LogEventLevel.Warning)
            .Filter.ByExcluding(LogNoise.IsNoise)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        if (toFile)
        {
            config = config.WriteTo.File(Path.Combine(settings.Root, "logs", "remote_executor-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
        }

        return config.CreateLogger();
    }

    private static void CreateRoot(string root)
    {
        try
        {
            OwnerOnly.PrepareRoot(root);
            var probe = Path.Combine(root, "data", ".write-check");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new StartupException($"the root {root} (--root) is not writable: {ex.Message.TrimEnd('.')}; choose another with --root or fix its permissions", ex);
        }
    }

    private static void CheckPorts(SiloSettings settings)
    {
        var http = ListenAddressOf(settings).Host switch
        {
            null or "" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            var h when IPAddress.TryParse(h, out var ip) => ip,
            var h => Dns.GetHostAddresses(h)[0],
        };
        PortCheck.EnsureFree(http, settings.Addr.Port, "--addr");
        PortCheck.EnsureFree(IPAddress.Any, settings.SiloPort, "--silo_port");
        if (settings.GatewayPort is { } gateway && settings.Database is not null)
        {
            PortCheck.EnsureFree(IPAddress.Any, gateway, "--gateway_port");
        }
    }

    /// <summary>The operator's line for a start failure they can fix, or null for anything else.</summary>
    private static string? StartFailure(Exception ex) => ex switch
    {
        StartupException s => s.Message,
        IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } io =>
            $"the HTTP address (--addr) is already in use: {io.Message}; stop the program that holds it or choose another with --addr",
        _ => null,
    };

    private static string ReadyUrl(ListenAddress addr)
    {
        var host = addr.Host switch
        {
            null or "" => "localhost",
            var h when IPAddress.TryParse(h, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 => $"[{h}]",
            var h => h,
        };
        return $"http://{host}:{addr.Port}/";
    }

    private static string TokenNote(SiloSettings settings) =>
        settings.Insecure ? "authentication OFF (--insecure)"
        : settings.Token is not null ? "token from --token"
        : $"token in {TokenStore.TokenPath(settings.Root)}";

    /// <summary>Where the API listens: <c>--addr</c>, except that <c>--insecure</c> without a host binds loopback only.</summary>
    public static ListenAddress ListenAddressOf(SiloSettings settings) =>
        settings.Insecure && settings.Addr.Host is null ? settings.Addr with { Host = "localhost" } : settings.Addr;

    /// <summary>Name of Orleans' ADO.NET grain storage provider, which <see cref="IoGrainStorage"/> wraps.</summary>
    private const string AdoNetStorageName = "re-adonet";

    public static WebApplication Build(SiloSettings settings, Database database, X509Certificate2? certificate)
    {
        // The content root is the binary's folder, never the working directory (often --root), and configuration is
        // not reloaded on change: the host's file watcher would otherwise watch every workspace and script folder the
        // steps create (10 % of the server's CPU per trivial task in the profile of bench/README.md).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Host.UseSerilog();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Normal ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = new ApiOptions().MaxBodyBytes;
            // Long v1 query strings (ids, env_vars) reach the API and get a 400 that names the field, not a bare 414.
            k.Limits.MaxRequestLineSize = 64 * 1024;
            var listen = ListenAddressOf(settings);
            if (listen.Host is null)
            {
                k.ListenAnyIP(listen.Port);
            }
            else if (listen.Host == "localhost")
            {
                k.ListenLocalhost(listen.Port);
            }
            else if (IPAddress.TryParse(listen.Host, out var ip))
            {
                k.Listen(ip, listen.Port);
            }
            else
            {
                k.Listen(Dns.GetHostAddresses(listen.Host)[0], listen.Port);
            }
        });

        var engine = new EngineOptions
        {
            Root = settings.Root,
            Node = settings.Node,
            ExecTimeout = settings.ExecTimeout,
            KeyExpire = settings.KeyExpire,
            AuditExpire = settings.AuditExpire,
            Webhooks = settings.Webhooks,
            WebhookRetry = settings.WebhookRetry,
            PoolSize = settings.PoolSize,
            MaxLine = settings.MaxLine,
            MaxOutput = settings.MaxOutput,
            PlacementWait = settings.Timeout / 2,
            Labels = settings.Labels,
        };
        var kinds = StepKindRegistry.WithBuiltIns(Version);
        PluginLoader.LoadInto(kinds, settings.PluginsDir ?? Path.Combine(settings.Root, "plugins"),
            new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("RemoteExecutor.Plugins"));
        var apiOptions = new ApiOptions
        {
            StepKinds = [.. kinds.Entries.Select(k => new RemoteExecutor.Api.Dtos.StepKindDto(k.Name, k.Origin, k.Version, k.Source))],
            Node = settings.Node,
            Version = Version,
            MetricsToken = settings.MetricsToken,
            MaxPoolSize = settings.MaxPoolSize,
            UploadLimit = settings.UploadLimit,
            Origins = new OriginAllowList(settings.AllowedOrigins),
            Hosts = settings.Insecure ? new HostAllowList(InsecureHosts.For(ListenAddressOf(settings), settings.AllowedHosts)) : null,
        };
        if (!settings.Insecure)
        {
            var (token, created) = TokenStore.Resolve(settings.Root, settings.Token);
            apiOptions.Token = token;
            if (settings.Token is null)
            {
                Log.ForContext("SourceContext", "RemoteExecutor.Silo").Information(created ? "Created the API token in {Path} (mode 0600); send it as Authorization: Bearer <token>" : "API token read from {Path}",
                    TokenStore.TokenPath(settings.Root));
            }
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(kinds);
        builder.Services.AddSingleton(apiOptions);
        builder.Services.AddSingleton(database);
        var databaseGuard = new DatabaseFileGuard(database);
        apiOptions.StorageFault = databaseGuard.Problem;
        builder.Services.AddSingleton(databaseGuard);
        if (database.Kind == DatabaseKind.Sqlite)
        {
            builder.Services.AddHostedService<DatabaseWatcher>();
        }
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(TestLifecycle.StreamTiming());
        builder.Services.AddSingleton(StorageIo.For(database, TestLifecycle.IoHold()));
        builder.Services.AddSingleton<StorageMetrics>();
        builder.Services.AddSingleton<ReadModelWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReadModelWriter>());
        builder.Services.AddSingleton<ReadModelReader>();
        builder.Services.AddSingleton<IReadModel>(sp => sp.GetRequiredService<ReadModelReader>());
        builder.Services.AddSingleton(SecretKeyStore.Resolve(settings.Root, settings.SecretKeyFile));
        builder.Services.AddSingleton<ProcessSupervisor>();
        builder.Services.AddSingleton<NodeActivity>();
        builder.Services.AddSingleton<EngineMetrics>();
        builder.Services.AddHostedService<RecoverySweep>();
        builder.Services.AddHostedService<ShutdownCoordinator>();
        builder.Services.AddHostedService<NodeLossWatcher>();
        builder.Services.AddSingleton<RemoteExecutor.Grains.Tasks.ExpirySweep>();
        builder.Services.AddSingleton<RemoteExecutor.Grains.Storage.StorageRetry>();
        builder.Services.AddHostedService<ExpirySchedule>();
        builder.Services.AddHostedService<HookDispatcher>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(EngineMetrics.MeterName, StorageMetrics.MeterName, "Microsoft.Orleans")
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter())
            .ConfigureResource(r => r.AddService("remote_executor", serviceVersion: Version, serviceInstanceId: settings.Node));
        RequestLimits.Add(builder.Services, settings.MaxRequests);

        builder.UseOrleans(silo =>
        {
            SiloTransport.Configure(silo, settings, database, certificate);
            silo.Configure<SiloOptions>(o => o.SiloName = settings.Node);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = settings.Timeout);
            silo.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = settings.Timeout);
            // Orleans caches the address of every grain it located, up to a million by default: with a task and a step
            // grain per task that kept ~2 KB per finished task alive (RSS grew with every task run). Live runs are few.
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = 10_000);

            // Grains use StorageNames.GrainStorage: the ADO.NET provider (registered under its own name) behind the
            // node's storage threads. The provider name is not stored in the rows: existing state reads as before.
            silo.AddAdoNetGrainStorage(AdoNetStorageName, options => options.Configure<IServiceProvider>((o, sp) =>
            {
                o.Invariant = database.OrleansInvariant;
                o.DataSource = database.DataSource;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>());
                // Expiry clears task and step state: the row goes (DeleteStorageKey), not just its payload.
                o.DeleteStateOnClear = true;
            }));
            silo.Services.AddKeyedSingleton<IGrainStorage>(RemoteExecutor.Grains.StorageNames.GrainStorage, (sp, _) => new IoGrainStorage(
                sp.GetRequiredKeyedService<IGrainStorage>(AdoNetStorageName), sp.GetRequiredService<StorageIo>(), sp.GetRequiredService<StorageMetrics>()));
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = database.OrleansInvariant;
                o.DataSource = database.DataSource;
            });
            IoReminders.Wrap(silo.Services);
            // The per-node expiry reminder ticks every --key_expire/10 (1-30 s); a tick writes nothing to the table.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
            // Labels travel as silo metadata: every silo knows every node's labels without a call per request.
            silo.UseSiloMetadata(NodeLabels.ToMetadata(settings.Node, settings.Labels));
            silo.Services.AddSingleton<LiveNodes>();
            TestLifecycle.Apply(silo, engine);
            silo.AddDashboard();
        });

        builder.Services.AddApiDocumentation();
        if (settings.Insecure)
        {
            builder.Services.AddHostedService<InsecureWarning>();
        }
        var app = builder.Build();

        app.UseSubmitAudit();
        app.UseApiErrors();
        app.UseBrowserLanding();
        // Before routing: an HTTP/2 WebSocket (extended CONNECT) is seen as the GET the console route maps.
        // Ping frames every 15 s keep a quiet follower's connection open through proxies.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        // Authentication decides on the matched endpoint, so routing runs first; handlers (and grains) only after it.
        app.UseRouting();
        app.UseApiAuthentication(apiOptions);
        app.UseRequestGuards(apiOptions);
        app.UseRequestLimits(settings.MaxRequests);
        app.MapOpenApi("/openapi/v1.json").WithAccess(RouteAccess.Open);
        app.MapScalarApiReference(o => o.WithTitle("RemoteExecutor API")).WithAccess(RouteAccess.Open);
        app.MapOrleansDashboard(routePrefix: "/dashboard").ExcludeFromDescription().WithAccess(RouteAccess.Dashboard);
        app.MapSystemEndpoints();
        app.MapWebUi();
        app.MapSchemaEndpoints();
        app.MapTaskEndpoints();
        app.MapPoolEndpoints();
        app.MapAuditEndpoints();
        app.MapEventStream();
        app.MapNodeEndpoints();
        app.MapPluginEndpoints();
        app.MapMetrics();
        return app;
    }
}
