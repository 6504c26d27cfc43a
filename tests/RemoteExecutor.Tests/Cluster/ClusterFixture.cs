using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Cluster;

/// <summary>
/// Three real servers (nodes a, b, c) sharing a fresh PostgreSQL database and one token, each with its own root and
/// ports, advertised on 127.0.0.1, labelled <c>role=web</c> (a, b) or <c>role=db</c> (c). Ready when every node lists all three.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    /// <summary>Joining takes a while on a loaded 2-core machine.</summary>
    public static readonly TimeSpan JoinDeadline = TimeSpan.FromSeconds(150);

    public static readonly string[] Names = ["a", "b", "c"];

    private readonly Dictionary<string, ServerProcess> _nodes = new(StringComparer.Ordinal);

    /// <summary>The token every node shares.</summary>
    public string Token { get; } = "cluster" + Guid.NewGuid().ToString("N");

    public PostgresDatabase Database { get; private set; } = null!;

    public ServerProcess A => _nodes["a"];

    public ServerProcess B => _nodes["b"];

    public ServerProcess C => _nodes["c"];

    public IEnumerable<ServerProcess> All => Names.Select(n => _nodes[n]);

    /// <summary>Where the cluster certificate and key every node shares live (made by the binary's own code).</summary>
    public string CertDir { get; } = Directory.CreateTempSubdirectory("re-cluster-cert-").FullName;

    public string[] Args(string node) =>
        [$"--database={Database.ConnectionString}", $"--node={node}", $"--token={Token}", "--advertise=127.0.0.1",
         $"--cluster_cert={Path.Combine(CertDir, "cluster.crt")}", $"--cluster_key={Path.Combine(CertDir, "cluster.key")}",
         $"--label=role={RoleOf(node)}", .. ExtraArgs];

    /// <summary>The label <c>role</c> of each node: a and b are <c>web</c>, c is <c>db</c> (fan-out by label).</summary>
    public static string RoleOf(string node) => node == "c" ? "db" : "web";

    /// <summary>More arguments for every node.</summary>
    protected virtual string[] ExtraArgs => [];

    /// <summary>Environment of every node.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Env => null;

    public async Task InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync();
        RemoteExecutor.Silo.Hosting.ClusterCertificate.Write(CertDir, "test-cluster");

        // a first (it installs the schema), then b and c together.
        _nodes["a"] = Authorize(await ServerProcess.StartAsync(Args("a"), Env));
        var rest = await Task.WhenAll(Names.Skip(1).Select(async n => (n, Authorize(await ServerProcess.StartAsync(Args(n), Env)))));
        foreach (var (name, server) in rest)
        {
            _nodes[name] = server;
        }

        await WaitForAllNodesAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _nodes.Values)
        {
            await server.DisposeAsync();
        }

        if (Database is not null)
        {
            await Database.DisposeAsync();
        }

        Directory.Delete(CertDir, recursive: true);
    }

    /// <summary>Restarts b when an earlier test left it down, and waits for the full cluster.</summary>
    public async Task EnsureHealthyAsync()
    {
        foreach (var name in Names)
        {
            if (_nodes[name].Pid is null)
            {
                await RestartAsync(name);
            }
        }

        await WaitForAllNodesAsync();
    }

    /// <summary>Starts a stopped node again on its root, under the same name.</summary>
    public async Task RestartAsync(string name)
    {
        await _nodes[name].RestartAsync(kill: false);
        Authorize(_nodes[name]);
    }

    /// <summary>Polls <c>GET /api/v1/nodes</c> on every node until each lists exactly a, b and c.</summary>
    public async Task WaitForAllNodesAsync()
    {
        foreach (var server in All)
        {
            await Poll.UntilAsync(
                async () =>
                {
                    var answer = await TryGetAsync(server, "/api/v1/nodes");
                    if (answer is null || answer.Status != HttpStatusCode.OK || answer.Json is null)
                    {
                        return (false, answer?.ToString() ?? "(no answer)");
                    }

                    var names = answer.Data.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("name").GetString()).Order().ToList();
                    return (answer.Data.GetProperty("total").GetInt32() == 3 && names.SequenceEqual(Names), answer.ToString());
                },
                JoinDeadline,
                last => $"node at {server.BaseAddress} does not list a, b and c within {JoinDeadline.TotalSeconds} s: {last}\n{server.ReadLog()}");
        }
    }

    /// <summary>A GET that reports a failed connection or a timeout as null instead of throwing.</summary>
    public static async Task<ApiAnswer?> TryGetAsync(ServerProcess server, string path)
    {
        try
        {
            return await server.Api.GetAsync(path);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The list entry of a task as one node sees it, or null (not listed, or no answer).</summary>
    public static async Task<JsonElement?> ListedAsync(ServerProcess server, string id)
    {
        var list = await TryGetAsync(server, "/api/v1/task");
        return list is { Status: HttpStatusCode.OK } && TaskApi.ListedTasks(list).TryGetValue(id, out var task) ? task : null;
    }

    private ServerProcess Authorize(ServerProcess server)
    {
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return server;
    }
}
