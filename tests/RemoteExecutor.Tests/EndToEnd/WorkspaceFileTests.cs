using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using RemoteExecutor.Tests.Durability;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>A task's workspace files over the API: list, download, upload, delete, confined to the workspace.</summary>
[Collection(ExecServerCollection.Name)]
public sealed class WorkspaceFileTests
{
    private readonly ServerProcess _server;

    public WorkspaceFileTests(ExecServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    private HttpClient Http => _server.Http;

    private static string Route(string id, string path) => $"/api/v1/task/{id}/workspace/{path}";

    private string Workspace(string id) => Path.Combine(_server.Root, "workspace", id);

    private async Task<string> FinishedTaskAsync(string prefix, string script = "mkdir -p out && echo made > out/made.txt")
    {
        var id = Ids.New(prefix);
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of(script)));
        Assert.True(detail.Code == 0, $"the step failed: {detail}");
        return id;
    }

    private async Task<HttpResponseMessage> UploadAsync(string id, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Route(id, path)) { Content = content };
        return await Http.SendAsync(request);
    }

    private static ByteArrayContent Raw(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    [Fact]
    public async Task UploadDownloadDelete_RoundTrip_FilesArriveAndLeaveAndListingFollows()
    {
        var id = await FinishedTaskAsync("wsround");
        var bytes = RandomNumberGenerator.GetBytes(700_000);

        using (var up = await UploadAsync(id, "in/deep/data.bin", Raw(bytes)))
        {
            Assert.True(up.StatusCode == HttpStatusCode.OK, await up.Content.ReadAsStringAsync());
        }

        using (var form = new MultipartFormDataContent())
        {
            form.Add(new StringContent("hello from a form\n"), "file", "notes.txt");
            using var up = await UploadAsync(id, "in/notes.txt", form);
            Assert.True(up.StatusCode == HttpStatusCode.OK, await up.Content.ReadAsStringAsync());
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(Workspace(id), "in", "deep", "data.bin")));

        using (var down = await Http.GetAsync(new Uri(Route(id, "in/deep/data.bin"), UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            Assert.Equal("application/octet-stream", down.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", down.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("data.bin", down.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            Assert.Equal(bytes, await down.Content.ReadAsByteArrayAsync());
        }

        using (var down = await Http.GetAsync(new Uri(Route(id, "in/notes.txt"), UriKind.Relative)))
        {
            Assert.Equal("text/plain", down.Content.Headers.ContentType?.MediaType);
            Assert.Equal("hello from a form\n", await down.Content.ReadAsStringAsync());
        }

        var made = await Api.GetAsync(Route(id, "out/made.txt"));
        Assert.Equal("made\n", made.Body);

        var sub = await Api.GetAsync($"/api/v1/task/{id}/workspace?path=in");
        Assert.True(sub.Status == HttpStatusCode.OK, sub.ToString());
        var paths = sub.Data.EnumerateArray().Select(e => e.GetProperty("path").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["in/deep", "in/deep/data.bin", "in/notes.txt"], paths);
        Assert.Equal(700_000, sub.Data.EnumerateArray().Single(e => e.GetProperty("path").GetString() == "in/deep/data.bin").GetProperty("size").GetInt64());

        var delete = await Api.SendAsync(HttpMethod.Delete, Route(id, "in"));
        Assert.True(delete.Status == HttpStatusCode.OK, delete.ToString());
        Assert.False(Directory.Exists(Path.Combine(Workspace(id), "in")));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/api/v1/task/{id}/workspace?path=in")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Route(id, "in/notes.txt"))).Status);
        Assert.True(File.Exists(Path.Combine(Workspace(id), "out", "made.txt")), "the delete went beyond its folder");

        await Poll.UntilAsync(
            async () =>
            {
                var audit = await Api.GetAsync("/api/v1/audit?size=1000");
                var mine = audit.Data.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("task").GetString() == id)
                    .Select(e => e.GetProperty("action").GetString()).ToList();
                return (mine.Count(a => a == "workspace.upload") == 2 && mine.Contains("workspace.delete"), audit);
            },
            Poll.Short,
            last => $"the uploads and the delete of {id} are not in the audit log: {last}");
    }

    [Fact]
    public async Task BigFile_UploadAndDownload200MB_ServerMemoryStaysFlat()
    {
        const long Size = 200L << 20;
        var id = await FinishedTaskAsync("wsbig", "true");
        var pid = _server.Pid ?? throw new InvalidOperationException("no server process");
        var baseline = Rss(pid);
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(pid));
                await Task.Delay(50);
            }
        });

        var content = new StreamContent(new PatternStream(Size));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = Size;
        using (var up = await UploadAsync(id, "big.bin", content))
        {
            Assert.True(up.StatusCode == HttpStatusCode.OK, await up.Content.ReadAsStringAsync());
        }

        Assert.Equal(Size, new FileInfo(Path.Combine(Workspace(id), "big.bin")).Length);
        using (var down = await Http.GetAsync(new Uri(Route(id, "big.bin"), UriKind.Relative), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            Assert.Equal(Size, down.Content.Headers.ContentLength);
            await using var body = await down.Content.ReadAsStreamAsync();
            var expected = await SHA256.HashDataAsync(new PatternStream(Size));
            Assert.Equal(expected, await SHA256.HashDataAsync(body));
        }

        await sampling.CancelAsync();
        await sampler;
        var growth = (peak - baseline) >> 20;
        Assert.True(growth < 100, $"the server's RSS grew by {growth} MiB (from {baseline >> 20} MiB) while moving a 200 MiB file");
    }

    [Fact]
    public async Task Traversal_DotDotEncodedOrAbsolute_RefusedAndNothingServed()
    {
        var id = await FinishedTaskAsync("wstrav");
        var token = _server.Token!;
        var secret = await File.ReadAllTextAsync(Path.Combine(_server.Root, "data", "secret.key"));
        foreach (var target in new[]
        {
            $"/api/v1/task/{id}/workspace/..%2F..%2Fdata%2Fsecret.key",
            $"/api/v1/task/{id}/workspace/%2e%2e%2f%2e%2e%2fdata%2fsecret.key",
            $"/api/v1/task/{id}/workspace/%2Fetc%2Fpasswd",
            $"/api/v1/task/{id}/workspace?path=../../data",
            $"/api/v1/task/{id}/workspace?path=/etc",
        })
        {
            var answer = await RawHttp.GetAsync(_server.BaseAddress, target, token);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{target}: {answer}");
            Assert.DoesNotContain(secret.Trim(), answer.Body, StringComparison.Ordinal);
        }

        // Normalised by the server before routing: it leaves the workspace route altogether, and serves nothing.
        foreach (var target in new[] { $"/api/v1/task/{id}/workspace/../../../data/secret.key", $"/api/v1/task/{id}/workspace/%2e%2e/%2e%2e/%2e%2e/data/secret.key" })
        {
            var answer = await RawHttp.GetAsync(_server.BaseAddress, target, token);
            Assert.True(answer.Status != HttpStatusCode.OK, $"{target}: {answer}");
            Assert.DoesNotContain(secret.Trim(), answer.Body, StringComparison.Ordinal);
        }

        var upload = await RawHttp.SendAsync(_server.BaseAddress, "POST", $"/api/v1/task/{id}/workspace/..%2F{id}-escaped.txt", token, "x"u8.ToArray(), false, "application/octet-stream");
        Assert.Equal(HttpStatusCode.BadRequest, upload.Status);
        Assert.False(File.Exists(Path.Combine(_server.Root, "workspace", $"{id}-escaped.txt")));

        var delete = await RawHttp.SendAsync(_server.BaseAddress, "DELETE", $"/api/v1/task/{id}/workspace/..%2F..%2Fdata", token, null, false, null);
        Assert.Equal(HttpStatusCode.BadRequest, delete.Status);
        Assert.True(File.Exists(Path.Combine(_server.Root, "data", "secret.key")));
    }

    [Fact]
    public async Task Symlinks_MadeByAStepPointingOutside_RefusedAndOutsideUntouched()
    {
        var outside = Directory.CreateTempSubdirectory("re-ws-outside-").FullName;
        try
        {
            var victim = Path.Combine(outside, "victim.txt");
            await File.WriteAllTextAsync(victim, "original");
            var id = await FinishedTaskAsync("wslink", $"ln -s '{outside}' dirlink && ln -s '{victim}' filelink && mkdir inner && ln -s ../dirlink inner/hop");

            foreach (var path in new[] { "filelink", "dirlink/victim.txt", "inner/hop/victim.txt" })
            {
                var down = await Api.GetAsync(Route(id, path));
                Assert.True(down.Status == HttpStatusCode.BadRequest, $"GET {path}: {down}");
                Assert.DoesNotContain("original", down.Body, StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync($"/api/v1/task/{id}/workspace?path=dirlink")).Status);

            foreach (var path in new[] { "filelink", "dirlink/victim.txt", "dirlink/planted.txt", "inner/hop/sub/planted.txt" })
            {
                using var up = await UploadAsync(id, path, Raw("overwritten"u8.ToArray()));
                Assert.True(up.StatusCode == HttpStatusCode.BadRequest, $"POST {path}: {await up.Content.ReadAsStringAsync()}");
            }

            Assert.Equal(HttpStatusCode.BadRequest, (await Api.SendAsync(HttpMethod.Delete, Route(id, "dirlink/victim.txt"))).Status);
            Assert.Equal("original", await File.ReadAllTextAsync(victim));
            Assert.Equal(["victim.txt"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
            Assert.False(Directory.Exists(Path.Combine(_server.Root, "uploads")) && Directory.GetFiles(Path.Combine(_server.Root, "uploads")).Length > 0,
                "an upload left its temporary file behind");

            // The link itself may go: what it points to stays.
            Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Delete, Route(id, "dirlink"))).Status);
            Assert.False(Path.Exists(Path.Combine(Workspace(id), "dirlink")));
            Assert.Equal("original", await File.ReadAllTextAsync(victim));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task UnknownTaskOrNoToken_404And401()
    {
        var id = Ids.New("wsnone");
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Route(id, "a.txt"))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.SendAsync(HttpMethod.Delete, Route(id, "a.txt"))).Status);
        using (var up = await UploadAsync(id, "a.txt", Raw([1, 2, 3])))
        {
            Assert.Equal(HttpStatusCode.NotFound, up.StatusCode);
        }

        var known = await FinishedTaskAsync("wsauth");
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(Route(known, "nothing/here.txt"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.GetAsync(Route(known, "out"))).Status);
        foreach (var method in new[] { "GET", "POST", "DELETE" })
        {
            var answer = await RawHttp.SendAsync(_server.BaseAddress, method, Route(known, "out/made.txt"), null,
                method == "POST" ? "x"u8.ToArray() : null, false, method == "POST" ? "application/octet-stream" : null);
            Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"{method}: {answer}");
        }

        Assert.Equal("made\n", await File.ReadAllTextAsync(Path.Combine(Workspace(known), "out", "made.txt")));
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>A long, reproducible byte sequence made on the fly: the test holds no copy of the file.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                var at = _position + i;
                buffer[offset + i] = (byte)((at * 31) ^ (at >> 11));
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
