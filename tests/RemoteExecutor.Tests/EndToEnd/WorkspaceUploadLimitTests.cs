using System.Net;
using System.Text;
using RemoteExecutor.Tests.Durability;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Uploads against <c>--upload_limit</c>, on an insecure server (where multipart needs an Origin-less client).</summary>
public sealed class WorkspaceUploadLimitTests : IClassFixture<SmallUploadServerFixture>
{
    private readonly ServerProcess _server;

    public WorkspaceUploadLimitTests(SmallUploadServerFixture fixture) => _server = fixture.Server;

    private string Workspace(string id) => Path.Combine(_server.Root, "workspace", id);

    private bool UploadsLeft => Directory.Exists(Path.Combine(_server.Root, "uploads")) && Directory.GetFiles(Path.Combine(_server.Root, "uploads")).Length > 0;

    private async Task<string> TaskAsync()
    {
        var id = Ids.New("wslimit");
        await _server.Api.RunAsync(id, Steps.Array(Steps.Of("true")));
        return id;
    }

    private Task<ApiAnswer> PostAsync(string id, string path, byte[] body, string contentType, string extraHeaders = "") =>
        RawHttp.SendAsync(_server.BaseAddress, "POST", $"/api/v1/task/{id}/workspace/{path}", null, body, false, contentType, extraHeaders);

    private static (byte[] Body, string ContentType) Form(byte[] file)
    {
        const string Boundary = "re-test-boundary";
        var head = Encoding.ASCII.GetBytes($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        var tail = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
        return ([.. head, .. file, .. tail], $"multipart/form-data; boundary={Boundary}");
    }

    [Fact]
    public async Task RawBodyOverTheLimit_413AndNothingLeftBehind()
    {
        var id = await TaskAsync();
        var answer = await PostAsync(id, "big.bin", new byte[SmallUploadServerFixture.Limit + 1], "application/octet-stream");
        Assert.True(answer.Status == HttpStatusCode.RequestEntityTooLarge, answer.ToString());
        Assert.Contains("--upload_limit", answer.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Workspace(id), "big.bin")));
        Assert.False(UploadsLeft, "the refused upload left a temporary file");

        var fits = await PostAsync(id, "fits.bin", new byte[SmallUploadServerFixture.Limit], "application/octet-stream");
        Assert.True(fits.Status == HttpStatusCode.OK, fits.ToString());
        Assert.Equal(SmallUploadServerFixture.Limit, new FileInfo(Path.Combine(Workspace(id), "fits.bin")).Length);
    }

    [Fact]
    public async Task MultipartFileOverTheLimit_CountedWhileStreaming_413AndNothingLeftBehind()
    {
        var id = await TaskAsync();
        var (body, type) = Form(new byte[SmallUploadServerFixture.Limit + 10]);
        var answer = await PostAsync(id, "sub/big.bin", body, type);
        Assert.True(answer.Status == HttpStatusCode.RequestEntityTooLarge, answer.ToString());
        Assert.False(Path.Exists(Path.Combine(Workspace(id), "sub")));
        Assert.False(UploadsLeft, "the refused upload left a temporary file");
    }

    [Fact]
    public async Task InsecureMultipart_FromAWebPageRefused_FromAClientWithoutOriginAccepted()
    {
        var id = await TaskAsync();
        var (body, type) = Form("form file"u8.ToArray());
        var own = $"Origin: {_server.BaseAddress.GetLeftPart(UriPartial.Authority)}\r\n";
        var fromPage = await PostAsync(id, "page.txt", body, type, own);
        Assert.True(fromPage.Status == HttpStatusCode.Forbidden, fromPage.ToString());
        Assert.False(File.Exists(Path.Combine(Workspace(id), "page.txt")));

        var rawFromPage = await PostAsync(id, "raw.txt", "raw file"u8.ToArray(), "application/octet-stream", own);
        Assert.True(rawFromPage.Status == HttpStatusCode.OK, rawFromPage.ToString());

        var plain = await PostAsync(id, "curl.txt", body, type);
        Assert.True(plain.Status == HttpStatusCode.OK, plain.ToString());
        Assert.Equal("form file", await File.ReadAllTextAsync(Path.Combine(Workspace(id), "curl.txt")));

        var textPlain = await PostAsync(id, "text.txt", "x"u8.ToArray(), "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, textPlain.Status);
    }
}
