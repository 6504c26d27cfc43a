using System.Globalization;
using System.Net;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>Large output: the console route has every line, the detail shows the tail.</summary>
[Collection(ExecServerCollection.Name)]
public sealed class OutputTests
{
    private const int LineCount = 100_000;
    private const int TailLines = 1000;

    private readonly ServerProcess _server;

    public OutputTests(ExecServerFixture fixture) => _server = fixture.Server;

    private TaskApi Api => _server.Api;

    [Fact]
    public async Task Console_HundredThousandLines_AreAllThereNumberedInOrder()
    {
        var id = Ids.New("seq100k");
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of($"seq {LineCount}", name: "count")), deadline: TimeSpan.FromSeconds(90));
        Assert.Equal(0, detail.Code);

        var console = await Api.ConsoleAsync(id, "count");
        Assert.Equal(HttpStatusCode.OK, console.Status);
        Assert.Equal(0, console.Code);
        var lines = console.Data.EnumerateArray().ToList();
        Assert.Equal(LineCount, lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var expected = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (lines[i].GetProperty("line").GetInt64() != i + 1 || lines[i].GetProperty("content").GetString() != expected)
            {
                Assert.Fail($"line {i + 1} is {lines[i]}");
            }
        }

        // The detail holds only the tail, led by a line saying how many lines were left out.
        var msg = detail.Step("count").GetProperty("msg").GetString()!.Split('\n');
        Assert.Equal(TailLines + 1, msg.Length);
        Assert.Contains((LineCount - TailLines).ToString(CultureInfo.InvariantCulture), msg[0], StringComparison.Ordinal);
        Assert.Contains("left out", msg[0], StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(LineCount - TailLines + 1, TailLines).Select(n => n.ToString(CultureInfo.InvariantCulture)), msg.Skip(1));
    }

    [Fact]
    public async Task Detail_ShortOutput_HoldsAllLinesWithoutANote()
    {
        var id = Ids.New("short");
        var detail = await Api.RunAsync(id, Steps.Array(Steps.Of($"seq {TailLines}", name: "few")));
        var msg = detail.Step("few").GetProperty("msg").GetString()!.Split('\n');
        Assert.Equal(Enumerable.Range(1, TailLines).Select(n => n.ToString(CultureInfo.InvariantCulture)), msg);
    }

    [Fact]
    public async Task Console_FromAndLimit_PageThroughTheLines()
    {
        var id = Ids.New("page");
        await Api.RunAsync(id, Steps.Array(Steps.Of("seq 50", name: "fifty")));
        var page = await Api.GetAsync($"/api/v1/task/{id}/fifty/console?from=11&limit=5");
        Assert.Equal(["11", "12", "13", "14", "15"], TaskApi.Lines(page));
        Assert.Equal([11L, 12L, 13L, 14L, 15L], page.Data.EnumerateArray().Select(l => l.GetProperty("line").GetInt64()));
    }
}
