using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RemoteExecutor.Tests.Harness;
using Xunit.Abstractions;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Durability;

/// <summary>
/// A few thousand random and mutated submits (seeded; set <c>RE_FUZZ_SEED</c> to replay): every one gets a JSON
/// envelope with 2xx/4xx (or 503/429), the connection never drops, the server stays healthy, and every accepted
/// task reaches a final state.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class FuzzTests
{
    private const int Cases = 3000;
    private const int Workers = 4;
    private static readonly TimeSpan SettleDeadline = TimeSpan.FromSeconds(240);

    private readonly ITestOutputHelper _output;

    public FuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task RandomAndMutatedSubmits_AlwaysGetAnEnvelope_AndEveryAcceptedTaskFinishes()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("RE_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        _output.WriteLine($"fuzz seed {seed} (replay with RE_FUZZ_SEED={seed})");
        await using var server = await ServerProcess.StartAsync();
        var node = (await server.Api.GetAsync("/version")).Data.GetProperty("node").GetString() ?? "";
        var cases = new SubmitFuzzer(seed, node).Generate(Cases);

        var failures = new ConcurrentQueue<(string Kind, string Example)>();
        var accepted = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var statuses = new ConcurrentDictionary<int, int>();
        var queue = new ConcurrentQueue<FuzzCase>(cases);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(async _ =>
        {
            while (queue.TryDequeue(out var fuzz))
            {
                var problem = await SendAsync(server.Http, fuzz, accepted, statuses);
                if (problem is not null)
                {
                    failures.Enqueue((problem.Value.Kind, $"case #{fuzz.Index} {fuzz.How} POST {Shorten(fuzz.Path, 300)} body {Shorten(Encoding.UTF8.GetString(fuzz.Body), 300)}: {problem.Value.Detail}"));
                }
            }
        }));
        var sent = clock.Elapsed;
        _output.WriteLine($"{Cases} requests in {sent.TotalSeconds:0.0} s; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}"))}; accepted tasks: {accepted.Count}");
        var kinds = failures.GroupBy(f => f.Kind).ToList();
        var answerProblems = failures.IsEmpty
            ? null
            : $"{failures.Count} bad answers of {kinds.Count} kinds:\n"
                + string.Join("\n", kinds.Select(k => $"== {k.Count()} x {k.Key}; e.g.\n  " + string.Join("\n  ", k.Take(3).Select(f => f.Example))));

        string? afterProblems = null;
        try
        {
            var health = await server.Api.GetAsync("/healthyz");
            Assert.True(health.Status == HttpStatusCode.OK, $"/healthyz after the fuzz: {health}\n{server.ReadLog()}");
            Assert.True(server.Pid is not null, "the server died");

            // Every accepted task reaches a final state (the list shows them all at once).
            await Poll.UntilAsync(
                async () =>
                {
                    var list = await server.Api.ListAsync();
                    if (list.Status != HttpStatusCode.OK)
                    {
                        return (false, list.ToString());
                    }

                    var listed = TaskApi.ListedTasks(list);
                    var open = accepted.Keys.Where(id => !listed.TryGetValue(id, out var t) || !FinalTaskStates.Contains(t.GetProperty("state").GetInt32())).ToList();
                    return (open.Count == 0, $"{open.Count} accepted tasks not final, e.g. {string.Join(", ", open.Take(5).Select(id => listed.TryGetValue(id, out var t) ? t.ToString() : id + " (not listed)"))}");
                },
                SettleDeadline,
                last => last ?? "");
            _output.WriteLine($"all accepted tasks final {clock.Elapsed.TotalSeconds:0.0} s after the first request");

            // A sample agrees through the detail route too.
            foreach (var id in accepted.Keys.Order(StringComparer.Ordinal).Take(25))
            {
                var detail = await server.Api.DetailAsync(id);
                Assert.True(detail.Status == HttpStatusCode.OK && TaskApi.FinalStateNames.Contains(detail.Header("X-Task-STATE") ?? ""), $"task {id}: {detail}");
            }
        }
        catch (Exception ex) when (ex is Xunit.Sdk.XunitException or TimeoutException)
        {
            afterProblems = ex.Message;
        }

        Assert.True(answerProblems is null && afterProblems is null,
            $"fuzz seed {seed} (replay with RE_FUZZ_SEED={seed})\n{answerProblems}\n{(afterProblems is null ? "" : "after the fuzz: " + afterProblems)}");
    }

    /// <summary>Null when the answer is fine; else what kind of problem (for grouping) and its details.</summary>
    private static async Task<(string Kind, string Detail)?> SendAsync(HttpClient http, FuzzCase fuzz, ConcurrentDictionary<string, int> accepted, ConcurrentDictionary<int, int> statuses)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fuzz.Path, UriKind.Relative)) { Content = new ByteArrayContent(fuzz.Body) };
        if (fuzz.ContentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", fuzz.ContentType);
        }

        ApiAnswer answer;
        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                headers[name] = string.Join(",", values);
            }

            answer = new ApiAnswer(response.StatusCode, headers, response.Content.Headers.ContentType?.MediaType, text);
        }
        catch (HttpRequestException ex)
        {
            return ("connection failed", ex.ToString());
        }
        catch (TaskCanceledException ex)
        {
            return ("no answer", ex.Message);
        }

        var status = (int)answer.Status;
        statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        var what = answer.Json is { } json && json.TryGetProperty("message", out var m) ? m.ToString() : $"body '{Shorten(answer.Body, 80)}'";
        if (status is not ((>= 200 and < 300) or (>= 400 and < 500) or 503))
        {
            return ($"HTTP {status}: {what}", Shorten(answer.Body, 500));
        }

        try
        {
            AssertEnvelope(answer, "answer");
        }
        catch (Xunit.Sdk.XunitException)
        {
            return ($"HTTP {status} without a JSON envelope", $"content-type {answer.ContentType}, body '{Shorten(answer.Body, 300)}'");
        }

        if (answer.Code == 0)
        {
            if (answer.Status != HttpStatusCode.OK)
            {
                return ($"code 0 with HTTP {status}", answer.ToString());
            }

            var id = answer.Data.GetProperty("id").GetString() ?? "";
            // The header carries the id percent-encoded (header values must be ASCII).
            if (answer.Header("X-Task-ID") is not { } header || Uri.UnescapeDataString(header) != id)
            {
                return ("X-Task-ID differs from data.id", $"X-Task-ID {answer.Header("X-Task-ID")}, data.id {id}");
            }

            accepted.AddOrUpdate(id, 1, (_, n) => n + 1);
        }
        else if (status == 200)
        {
            return ($"HTTP 200 with code {answer.Code}", answer.ToString());
        }

        return null;
    }

    private static string Shorten(string s, int max) => s.Length > max ? s[..max] + "..." : s;
}
