using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using RemoteExecutor.Tests.Harness;
using Xunit.Abstractions;
using static RemoteExecutor.Tests.Durability.DurabilityKit;

namespace RemoteExecutor.Tests.Durability;

/// <summary>
/// Hostile submits: each gets a clear 4xx with an envelope, nothing is created, and nothing appears outside the
/// root. The root lives in a private parent directory, so "outside the root" can be checked exactly.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class HostileInputTests
{
    private readonly ITestOutputHelper _output;

    public HostileInputTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task HostileSubmits_AreRefusedWith4xx_CreateNothing_AndTouchNothingOutsideTheRoot()
    {
        var parent = Directory.CreateTempSubdirectory("re-hostile-").FullName;
        var root = Path.Combine(parent, "root");
        Directory.CreateDirectory(root);
        var parentBefore = Snapshot(parent, root);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var refusedIds = new List<string>();
        var accepted = new List<string>();
        ServerProcess? server = null;
        try
        {
            server = await ServerProcess.StartOnRootAsync(root);
            var api = server.Api;
            var valid = Steps.Array(Steps.Of("echo ok", name: "a"));

            // Body over 10 MiB: announced with Expect: 100-continue (HttpClient), sent whole with a Content-Length,
            // and streamed chunked without a length (raw socket: the server answers before the upload ends).
            var huge = Encoding.UTF8.GetBytes(Steps.Array(Steps.Of("echo " + new string('x', (10 * 1024 * 1024) + 4096), name: "a")).ToJsonString());
            var hugeId = $"huge{tag}";
            refusedIds.Add(hugeId);
            using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/v1/task?id={hugeId}", UriKind.Relative)) { Content = new ByteArrayContent(huge) })
            {
                request.Headers.ExpectContinue = true;
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                Expect(await SendAsync(server.Http, request), HttpStatusCode.RequestEntityTooLarge, "10 MiB body, Expect: 100-continue");
            }

            Expect(await RawHttp.PostAsync(server.Http.BaseAddress!, $"/api/v1/task?id={hugeId}", server.Token!, huge, chunked: false), HttpStatusCode.RequestEntityTooLarge, "10 MiB body with Content-Length");
            Expect(await RawHttp.PostAsync(server.Http.BaseAddress!, $"/api/v1/task?id={hugeId}", server.Token!, huge, chunked: true), HttpStatusCode.RequestEntityTooLarge, "10 MiB body, chunked");
            var hugeV2 = Encoding.UTF8.GetBytes($"{{\"id\":\"{hugeId}\",\"step\":{Encoding.UTF8.GetString(huge)}}}");
            Expect(await RawHttp.PostAsync(server.Http.BaseAddress!, "/api/v2/task", server.Token!, hugeV2, chunked: false), HttpStatusCode.RequestEntityTooLarge, "10 MiB v2 body");

            // JSON nested 1000 deep.
            var deepId = $"deep{tag}";
            refusedIds.Add(deepId);
            var deep = new string('[', 1000) + new string(']', 1000);
            Expect(await api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={deepId}", deep), HttpStatusCode.BadRequest, "v1 body nested 1000 deep");
            var deepEnv = $"[{{\"name\":\"a\",\"command_type\":\"bash\",\"command_content\":\"true\",\"env_vars\":{deep}}}]";
            Expect(await api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={deepId}", deepEnv), HttpStatusCode.BadRequest, "step field nested 1000 deep");
            var deepObject = new StringBuilder($"{{\"id\":\"{deepId}\",\"step\":[{{\"command_type\":\"bash\",\"command_content\":\"true\"}}],\"x\":");
            deepObject.Append(string.Concat(Enumerable.Repeat("{\"a\":", 1000))).Append('1').Append('}', 1000).Append('}');
            Expect(await api.SendAsync(HttpMethod.Post, "/api/v2/task", deepObject.ToString()), HttpStatusCode.BadRequest, "v2 body nested 1000 deep");

            // Not JSON at all.
            var junkId = $"junk{tag}";
            refusedIds.Add(junkId);
            Expect(await api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={junkId}", "this is not json"), HttpStatusCode.BadRequest, "non-JSON body");
            Expect(await api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={junkId}", "echo hi", "text/plain"), HttpStatusCode.UnsupportedMediaType, "text/plain body");
            Expect(await api.SendAsync(HttpMethod.Post, $"/api/v1/task?id={junkId}", ""), HttpStatusCode.BadRequest, "empty body");
            Expect(await api.SendAsync(HttpMethod.Post, "/api/v2/task", "<task id=\"x\"/>", "application/xml"), HttpStatusCode.UnsupportedMediaType, "XML body");
            using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/v1/task?id={junkId}", UriKind.Relative)) { Content = new ByteArrayContent([0xff, 0xfe, 0x5b, 0x00, 0xc3, 0x28]) })
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                Expect(await SendAsync(server.Http, request), HttpStatusCode.BadRequest, "invalid UTF-8 body");
            }

            // 10 000 steps.
            var manyId = $"many{tag}";
            refusedIds.Add(manyId);
            var many = Steps.Array([.. Enumerable.Range(1, 10_000).Select(i => Steps.Of("true", name: $"s{i}"))]);
            var manyAnswer = Expect(await api.SubmitV1Async(many, $"id={manyId}"), HttpStatusCode.BadRequest, "10 000 steps");
            Assert.Contains("1000", manyAnswer.Message, StringComparison.Ordinal);

            // Step names that collide once sanitised.
            var collideId = $"collide{tag}";
            refusedIds.Add(collideId);
            var collide = Expect(await api.SubmitV1Async(Steps.Array(Steps.Of("true", name: "a-b"), Steps.Of("true", name: "ab")), $"id={collideId}"), HttpStatusCode.BadRequest, "names a-b and ab");
            Assert.Contains("ab", collide.Message, StringComparison.Ordinal);

            // A step depending on itself.
            var selfId = $"self{tag}";
            refusedIds.Add(selfId);
            Expect(await api.SubmitV1Async(Steps.Array(Steps.Of("true", name: "a", dependsOn: ["a"])), $"id={selfId}&async=true"), HttpStatusCode.BadRequest, "depends_on itself");
            Expect(await api.SubmitV2Async(new JsonObject { ["id"] = selfId, ["async"] = true, ["step"] = Steps.Array(Steps.Of("true", name: "a", dependsOn: ["a"])) }), HttpStatusCode.BadRequest, "v2 depends_on itself");

            // Hostile ids: a path, a NUL, 10 000 characters.
            var traversal = $"../trav{tag}";
            refusedIds.Add($"trav{tag}");
            Expect(await api.SubmitV1Async(valid, $"id={Uri.EscapeDataString(traversal)}"), HttpStatusCode.BadRequest, "id ../x (v1)");
            Expect(await api.SubmitV2Async(new JsonObject { ["id"] = traversal, ["step"] = valid.DeepClone() }), HttpStatusCode.BadRequest, "id ../x (v2)");
            Expect(await api.SubmitV2Async(new JsonObject { ["id"] = $"..\\..\\win{tag}", ["step"] = valid.DeepClone() }), HttpStatusCode.BadRequest, "id ..\\x (v2)");
            refusedIds.Add($"win{tag}");
            refusedIds.Add($"nul{tag}x");
            Expect(await api.SubmitV1Async(valid, $"id=nul{tag}%00x"), HttpStatusCode.BadRequest, "id with %00 (v1)");
            Expect(await api.SubmitV2Async(new JsonObject { ["id"] = $"nul{tag}\0x", ["step"] = valid.DeepClone() }), HttpStatusCode.BadRequest, "id with NUL (v2)");
            var longId = $"long{tag}" + new string('a', 10_000);
            Expect(await api.SubmitV2Async(new JsonObject { ["id"] = longId, ["step"] = valid.DeepClone() }), HttpStatusCode.BadRequest, "id of 10 000 characters (v2)");
            var longQueryId = $"lq{tag}" + new string('b', 5_000);
            Expect(await api.SubmitV1Async(valid, $"id={longQueryId}"), HttpStatusCode.BadRequest, "id of 5 000 characters (v1 query)");

            // Timeouts out of range.
            var timeoutId = $"tmo{tag}";
            refusedIds.Add(timeoutId);
            foreach (var bad in new[] { "-5s", "999999h" })
            {
                Expect(await api.SubmitV1Async(valid, $"id={timeoutId}&timeout={Uri.EscapeDataString(bad)}"), HttpStatusCode.BadRequest, $"task timeout {bad} (v1)");
                Expect(await api.SubmitV2Async(new JsonObject { ["id"] = timeoutId, ["timeout"] = bad, ["step"] = valid.DeepClone() }), HttpStatusCode.BadRequest, $"task timeout {bad} (v2)");
                Expect(await api.SubmitV1Async(Steps.Array(Steps.Of("true", name: "a", timeout: bad)), $"id={timeoutId}"), HttpStatusCode.BadRequest, $"step timeout {bad}");
            }

            // Nothing of the refused submits exists.
            foreach (var id in refusedIds)
            {
                var detail = await api.DetailAsync(id);
                Assert.True(detail.Status == HttpStatusCode.NotFound && detail.Code == 1003, $"refused task {id} exists: {detail}");
            }

            var listed = TaskApi.ListedTasks(await api.ListAsync());
            Assert.Empty(listed);
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "workspace")));
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "scripts")));

            // Unknown query parameters and unknown JSON fields are ignored.
            var lenientV1 = $"lenient{tag}";
            var extraStep = Steps.Of("echo lenient", name: "a");
            extraStep["frobnicate"] = 42;
            extraStep["nested_unknown"] = new JsonObject { ["x"] = new JsonArray(1, 2, 3) };
            var ok1 = await api.SubmitV1Async(Steps.Array(extraStep), $"id={lenientV1}&colour=blue&debug=1&id2=zz");
            Assert.True(ok1.Status == HttpStatusCode.OK && ok1.Code == 0, $"unknown query parameters / fields refused: {ok1}");
            accepted.Add(lenientV1);
            var lenientV2 = $"lenienttwo{tag}";
            var ok2 = await api.SubmitV2Async(new JsonObject
            {
                ["id"] = lenientV2,
                ["priority"] = "high",
                ["labels"] = new JsonObject { ["team"] = "x" },
                ["step"] = Steps.Array((JsonObject)extraStep.DeepClone()),
            });
            Assert.True(ok2.Status == HttpStatusCode.OK && ok2.Code == 0, $"unknown v2 fields refused: {ok2}");
            accepted.Add(lenientV2);
            foreach (var id in accepted)
            {
                var done = await api.WaitForFinalAsync(id);
                Assert.Equal(0, done.Code);
                Assert.Equal(["lenient"], TaskApi.Lines(await api.ConsoleAsync(id, "a")));
            }

            Assert.Equal(accepted.Order(StringComparer.Ordinal), TaskApi.ListedTasks(await api.ListAsync()).Keys.Order(StringComparer.Ordinal));
            Assert.Equal(accepted.Order(StringComparer.Ordinal), Directory.GetDirectories(Path.Combine(root, "workspace")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.True(server.Pid is not null, "the server died");

            // Nothing appeared next to the root, and inside it only the accepted tasks' directories carry the tag.
            Assert.Equal(parentBefore, Snapshot(parent, root));
            var rootEntries = Snapshot(root, Path.Combine(root, "data"), Path.Combine(root, "logs"));
            _output.WriteLine("root: " + string.Join(", ", rootEntries));
            Assert.DoesNotContain(rootEntries, e => e.Contains(tag, StringComparison.Ordinal) && !accepted.Any(a => e.Contains(a, StringComparison.Ordinal)));

            // Last, as it is the one most likely to trip over a server limit: a 10 000-character id in the v1
            // query (a request line over Kestrel's default 8 KB) must still get the API's 400 with an envelope.
            Expect(await api.SubmitV1Async(valid, $"id={longId}"), HttpStatusCode.BadRequest, "id of 10 000 characters (v1 query)");
            Assert.True((await api.DetailAsync(longId[..128])).Status == HttpStatusCode.NotFound);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            try
            {
                Directory.Delete(parent, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS.
            }
        }
    }

    private ApiAnswer Expect(ApiAnswer answer, HttpStatusCode status, string what)
    {
        _output.WriteLine($"{what}: {answer}");
        Assert.True(answer.Status == status, $"{what}: expected HTTP {(int)status}, got {answer}");
        AssertEnvelope(answer, what);
        Assert.Equal(1000, answer.Code);
        Assert.False(string.IsNullOrWhiteSpace(answer.Message), $"{what}: no message");
        Assert.Null(answer.Header("X-Task-ID"));
        return answer;
    }

    private static async Task<ApiAnswer> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            headers[name] = string.Join(",", values);
        }

        return new ApiAnswer(response.StatusCode, headers, response.Content.Headers.ContentType?.MediaType, text);
    }
}
