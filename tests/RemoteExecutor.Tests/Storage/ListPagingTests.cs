using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Storage;

/// <summary>A server of its own: the tests count every task it holds.</summary>
public sealed class ListPagingServerFixture : ServerFixture;

/// <summary>Issue 11: the task list is a bounded query that pages with <c>?page=&amp;size=</c>; <c>total</c> counts all.</summary>
public sealed class ListPagingTests : IClassFixture<ListPagingServerFixture>, IAsyncLifetime
{
    private const int Tasks = 5;

    private readonly ServerProcess _server;

    public ListPagingTests(ListPagingServerFixture fixture) => _server = fixture.Server;

    public async Task InitializeAsync()
    {
        var listed = await _server.Api.ListAsync();
        for (var i = listed.Data.GetProperty("total").GetInt32(); i < Tasks; i++)
        {
            await _server.Api.SubmitOkAsync(Ids.New("page"), Steps.Array(Steps.Of("echo listed")));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("/api/v1/task")]
    [InlineData("/")]
    public async Task List_Pages_CoverTheWholeListInOrder_AndTotalCountsAll(string path)
    {
        var whole = await _server.Api.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, whole.Status);
        Assert.Equal(Tasks, whole.Data.GetProperty("total").GetInt32());
        var all = IdsOf(whole);
        Assert.Equal(Tasks, all.Count);

        var paged = new List<string>();
        for (var page = 1; page <= 4; page++)
        {
            var answer = await _server.Api.GetAsync($"{path}?page={page}&size=2");
            Assert.Equal(HttpStatusCode.OK, answer.Status);
            Assert.Equal(Tasks, answer.Data.GetProperty("total").GetInt32());
            var ids = IdsOf(answer);
            Assert.Equal(page switch { 1 or 2 => 2, 3 => 1, _ => 0 }, ids.Count);
            paged.AddRange(ids);
        }

        Assert.Equal(all, paged);
        Assert.Equal(all[..3], IdsOf(await _server.Api.GetAsync($"{path}?size=3")));
        Assert.Equal(all[3..], IdsOf(await _server.Api.GetAsync($"{path}?page=2&size=3")));
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("size=0", "size")]
    [InlineData("size=1001", "size")]
    [InlineData("size=ten", "size")]
    [InlineData("page=1&size=99999999999", "size")]
    public async Task List_BadPaging_Is400WithCode1000NamingTheField(string query, string field)
    {
        var answer = await _server.Api.GetAsync($"/api/v1/task?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(1000, answer.Code);
        Assert.StartsWith(field + " ", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_ListParameters_StateDefaultAndMaximumSize()
    {
        using var doc = System.Text.Json.JsonDocument.Parse((await _server.Api.GetAsync("/openapi/v1.json")).Body);
        foreach (var path in new[] { "/api/v1/task", "/" })
        {
            var parameters = doc.RootElement.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters")
                .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("description").GetString() ?? "");
            Assert.Contains("default 1", parameters["page"], StringComparison.Ordinal);
            Assert.Contains("to 1000 (default 1000)", parameters["size"], StringComparison.Ordinal);
        }
    }

    private static List<string> IdsOf(ApiAnswer list) =>
        [.. list.Data.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()!)];
}
