using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Storage;
using RemoteExecutor.Api;
using RemoteExecutor.Api.Endpoints;
using RemoteExecutor.Api.Security;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Placement;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Silo.Cli;
using Scalar.AspNetCore;
using Serilog;
using Serilog.Events;
using OpenTelemetry.Metrics;

namespace RemoteExecutor.Silo.Hosting;

/// <summary>Builds and runs the one process: an Orleans silo co-hosting the HTTP API.</summary>
public static class SiloHost
{
    public const string ClusterId = "remote-executor";

    public static string Version =>
        typeof(SiloHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";

    public static async Task<int> RunAsync(SiloSettings settings, CancellationToken cancellationToken)
    {
        foreach (var dir in new[] { "data", "logs", "workspace", "scripts" })
        {
            Directory.CreateDirectory(Path.Combine(settings.Root, dir));
        }

        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Is(settings.Debug ? LogEventLevel.Debug : LogEventLevel.Information)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .MinimumLevel.Override("Orleans", settings.Debug ? LogEventLevel.Information : LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(Path.Combine(settings.Root, "logs", "remote_executor-.log"), rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14)
            .CreateLogger();
        try
        {
            var database = settings.Database is { } cs
                ? new Database(DatabaseKind.PostgreSql, cs)
                : Database.ForSqliteFile(Path.Combine(settings.Root, "data", "remote_executor.db"));
            var bootLogger = new Serilog.Extensions.Logging.SerilogLoggerFactory(Log.Logger).CreateLogger("RemoteExecutor.Schema");
            await SchemaInstaller.InstallAsync(database, bootLogger, cancellationToken);

            var app = Build(settings, database);
            Log.Information("RemoteExecutor {Version} node {Node} listening on {Addr}, root {Root}, storage {Storage}",
                Version, settings.Node, settings.Addr, settings.Root, database.Kind);
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Fatal(ex, "RemoteExecutor stopped on an error");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    public static WebApplication Build(SiloSettings settings, Database database)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Host.UseSerilog();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Normal ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = new ApiOptions().MaxBodyBytes;
            // Long v1 query strings (ids, env_vars) reach the API and get a 400 that names the field, not a bare 414.
            k.Limits.MaxRequestLineSize = 64 * 1024;
            if (settings.Addr.Host is null)
            {
                k.ListenAnyIP(settings.Addr.Port);
            }
            else if (settings.Addr.Host == "localhost")
            {
                k.ListenLocalhost(settings.Addr.Port);
            }
            else if (IPAddress.TryParse(settings.Addr.Host, out var ip))
            {
                k.Listen(ip, settings.Addr.Port);
            }
            else
            {
                k.Listen(Dns.GetHostAddresses(settings.Addr.Host)[0], settings.Addr.Port);
            }
        });

        var engine = new EngineOptions
        {
            Root = settings.Root,
            Node = settings.Node,
            ExecTimeout = settings.ExecTimeout,
            KeyExpire = settings.KeyExpire,
            PoolSize = settings.PoolSize,
            PlacementWait = settings.Timeout / 2,
        };
        var apiOptions = new ApiOptions
        {
            Node = settings.Node,
            Version = Version,
            MetricsToken = settings.MetricsToken,
        };
        if (!settings.Insecure)
        {
            var (token, created) = TokenStore.Resolve(settings.Root, settings.Token);
            apiOptions.Token = token;
            if (settings.Token is null)
            {
                Log.Information(created ? "Created the API token in {Path} (mode 0600); send it as Authorization: Bearer <token>" : "API token read from {Path}",
                    TokenStore.TokenPath(settings.Root));
            }
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(apiOptions);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReadModelWriter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReadModelWriter>());
        builder.Services.AddSingleton<ReadModelReader>();
        builder.Services.AddSingleton<ProcessSupervisor>();
        builder.Services.AddSingleton<NodeActivity>();
        builder.Services.AddSingleton<EngineMetrics>();
        builder.Services.AddHostedService<RecoverySweep>();
        builder.Services.AddHostedService<ShutdownCoordinator>();
        builder.Services.AddHostedService<NodeLossWatcher>();
        builder.Services.AddSingleton<RemoteExecutor.Grains.Tasks.ExpirySweep>();
        builder.Services.AddHostedService<ExpirySchedule>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(EngineMetrics.MeterName, "Microsoft.Orleans")
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        RequestLimits.Add(builder.Services, settings.MaxRequests);

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = ClusterId;
                o.ServiceId = ClusterId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = settings.Node);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = settings.Timeout);
            silo.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = settings.Timeout);
            if (database.Kind == DatabaseKind.Sqlite)
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
            }
            else
            {
                silo.UseAdoNetClustering(o =>
                {
                    o.Invariant = database.OrleansInvariant;
                    o.DataSource = database.DataSource;
                });
                silo.ConfigureEndpoints(settings.Advertise ?? Network.DefaultAdvertiseAddress(), settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
            }

            silo.AddAdoNetGrainStorage(RemoteExecutor.Grains.StorageNames.GrainStorage, options => options.Configure<IServiceProvider>((o, sp) =>
            {
                o.Invariant = database.OrleansInvariant;
                o.DataSource = database.DataSource;
                o.GrainStorageSerializer = new OrleansGrainStorageSerializer(sp.GetRequiredService<Orleans.Serialization.Serializer>());
            }));
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = database.OrleansInvariant;
                o.DataSource = database.DataSource;
            });
            // The per-node expiry reminder ticks every --key_expire/10 (1-30 s); a tick writes nothing to the table.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
            TestLifecycle.Apply(silo, engine);
            silo.AddDashboard();
        });

        builder.Services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());
        if (settings.Insecure)
        {
            builder.Services.AddHostedService<InsecureWarning>();
        }
        var app = builder.Build();

        app.UseApiErrors();
        app.UseApiAuthentication(apiOptions);
        app.UseRequestLimits(settings.MaxRequests);
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapOrleansDashboard(routePrefix: "/dashboard").ExcludeFromDescription();
        app.MapSystemEndpoints();
        app.MapTaskEndpoints();
        app.MapPoolEndpoints();
        app.MapAuditEndpoints();
        app.MapNodeEndpoints();
        app.MapPrometheusScrapingEndpoint("/metrics").DisableRateLimiting();
        return app;
    }
}
