using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Cluster;

public sealed partial class ClusterTests
{
    [Fact]
    public async Task WorkspaceFiles_OfATaskOnB_UploadedThroughADownloadedThroughCDeletedThroughA()
    {
        var id = Ids.New("wsnode");
        var submit = await A.Api.SubmitV1Async(Steps.Array(Steps.Of("echo made > made.txt", name: "make")), $"id={id}&node=b");
        Assert.True(submit.Status == HttpStatusCode.OK && submit.Code == 0, $"submit: {submit}");
        Assert.Equal(0, (await C.Api.WaitForFinalAsync(id, TaskDeadline)).Code);

        var bytes = RandomNumberGenerator.GetBytes(1_000_000);
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/v1/task/{id}/workspace/in/data.bin", UriKind.Relative)))
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var up = await A.Http.SendAsync(request);
            Assert.True(up.StatusCode == HttpStatusCode.OK, $"upload through a: {await up.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(B.Root, "workspace", id, "in", "data.bin")));
        Assert.False(Directory.Exists(Path.Combine(A.Root, "workspace", id)), "the upload landed on a");

        using (var down = await C.Http.GetAsync(new Uri($"/api/v1/task/{id}/workspace/in/data.bin", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            Assert.Equal(bytes, await down.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal("made\n", (await C.Api.GetAsync($"/api/v1/task/{id}/workspace/made.txt")).Body);
        var listing = await C.Api.GetAsync($"/api/v1/task/{id}/workspace?path=in");
        Assert.Equal(["in/data.bin"], listing.Data.EnumerateArray().Select(e => e.GetProperty("path").GetString()));

        Assert.Equal(HttpStatusCode.OK, (await A.Api.SendAsync(HttpMethod.Delete, $"/api/v1/task/{id}/workspace/in")).Status);
        Assert.False(Directory.Exists(Path.Combine(B.Root, "workspace", id, "in")));
    }
}
