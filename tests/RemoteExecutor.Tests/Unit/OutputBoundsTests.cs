using RemoteExecutor.Grains;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Interfaces;
using RemoteExecutor.Grains.Storage;
using RemoteExecutor.Silo.Cli;

namespace RemoteExecutor.Tests.Unit;

public sealed class OutputBoundsTests
{
    [Fact]
    public void OutputLimiter_Take_KeepsUpToTheBudgetAndCountsTheRest()
    {
        var limiter = new OutputLimiter(100);
        Assert.Equal(60, limiter.Take(60));
        Assert.Equal(40, limiter.Take(60));
        Assert.Equal(0, limiter.Take(10));
        Assert.True(limiter.Exhausted);
        Assert.Equal(30, limiter.Dropped);
        Assert.Contains("30 further bytes were dropped", limiter.Note(), StringComparison.Ordinal);
    }

    [Fact]
    public void Utf8Cut_InsideAMultiByteCharacter_CutsBeforeIt()
    {
        var bytes = "ab€"u8.ToArray(); // € is 3 bytes
        Assert.Equal(2, LineReader.Utf8Cut(bytes, 0, 4));
        Assert.Equal(2, LineReader.Utf8Cut(bytes, 0, 3));
        Assert.Equal(5, LineReader.Utf8Cut(bytes, 0, 5));
        Assert.Equal(2, LineReader.Utf8Cut(bytes, 0, 2));
    }

    [Fact]
    public void TailBuffer_KeepsTheNewestLinesWithinTheBudget()
    {
        var tail = new TailBuffer(32);
        foreach (var n in Enumerable.Range(1, 100))
        {
            tail.Add($"line{n}");
        }

        Assert.Equal(["line97", "line98", "line99", "line100"], tail.Lines);
    }

    [Fact]
    public void TailBuffer_HugeLine_KeepsItsEndWithinTheBudget()
    {
        var tail = new TailBuffer(1024);
        tail.Add("start" + new string('y', 1_000_000) + "€end");
        var line = Assert.Single(tail.Lines);
        Assert.StartsWith("…", line, StringComparison.Ordinal);
        Assert.EndsWith("€end", line, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(line) < 1024);
    }

    [Fact]
    public void AuditText_Clean_EscapesControlCharacters()
    {
        Assert.Equal("a\\nb\\r\\tc\\u001b[31m\\0", AuditText.Clean("a\nb\r\tc\u001b[31m\0"));
        Assert.Null(AuditText.Clean((string?)null));
        Assert.Equal("plain ünïcode 😀", AuditText.Clean("plain ünïcode 😀"));
    }

    [Fact]
    public void AuditText_Clean_CutsAFieldToOneKibibyteAndSaysHowLongItWas()
    {
        var cleaned = AuditText.Clean(new string('x', 9 << 20))!;
        Assert.True(cleaned.Length < AuditText.MaxBytes + 64, $"{cleaned.Length} characters kept");
        Assert.EndsWith($"…[cut: {9 << 20} bytes in all]", cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditText_CleanEntry_CleansEveryField()
    {
        var entry = AuditText.Clean(new AuditEntry { Actor = "a\n", Client = "c", Action = "submit", Task = "t\n", Outcome = "1000: " + new string('z', 5000) });
        Assert.Equal("a\\n", entry.Actor);
        Assert.Equal("t\\n", entry.Task);
        Assert.True(entry.Outcome.Length < 1100);
    }

    [Theory]
    [InlineData("65536", 65536L)]
    [InlineData("64KiB", 65536L)]
    [InlineData("64k", 65536L)]
    [InlineData("1GiB", 1073741824L)]
    [InlineData("512MB", 536870912L)]
    public void ByteSize_TryParse_AcceptsPlainAndSuffixedSizes(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, 1, long.MaxValue, out var bytes, out _));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("12XB")]
    [InlineData("10")]
    [InlineData("99999999999T")]
    public void ByteSize_TryParse_RefusesGarbageAndOutOfRange(string text)
    {
        Assert.False(ByteSize.TryParse(text, 256, 1L << 40, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }
}
