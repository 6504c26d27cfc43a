using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class GoDurationTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "90s", TimeSpan.FromSeconds(90) },
        { "1h30m", TimeSpan.FromMinutes(90) },
        { "1.5h", TimeSpan.FromMinutes(90) },
        { "300ms", TimeSpan.FromMilliseconds(300) },
        { "-5s", TimeSpan.FromSeconds(-5) },
        { "3m", TimeSpan.FromMinutes(3) },
        { "2h45m30.5s", new TimeSpan(0, 2, 45, 30, 500) },
        { "1500us", TimeSpan.FromMilliseconds(1.5) },
        { "0", TimeSpan.Zero },
        { " 10s ", TimeSpan.FromSeconds(10) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void TryParse_GoSyntax_ReturnsTheDuration(string text, TimeSpan expected)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out var error), error);
        Assert.Equal(expected, value);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("abc", "invalid duration")]
    [InlineData("5x", "unknown unit \"x\"")]
    [InlineData("5", "missing unit")]
    [InlineData("", "empty duration")]
    [InlineData("   ", "empty duration")]
    [InlineData(null, "empty duration")]
    [InlineData("-", "invalid duration")]
    [InlineData("s5", "invalid duration")]
    [InlineData("99999999999h", "too large")]
    public void TryParse_BadText_FailsWithAReason(string? text, string reason)
    {
        Assert.False(GoDuration.TryParse(text, out var value, out var error));
        Assert.Equal(TimeSpan.Zero, value);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(90_000, "1m30s")]
    [InlineData(5_400_000, "1h30m0s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(300, "300ms")]
    [InlineData(0, "0s")]
    [InlineData(-5_000, "-5s")]
    [InlineData(86_400_000, "24h0m0s")]
    [InlineData(3_000, "3s")]
    public void Format_Milliseconds_WritesItLikeGo(long milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Theory]
    [InlineData("90s")]
    [InlineData("1h30m")]
    [InlineData("1.5h")]
    [InlineData("300ms")]
    [InlineData("-5s")]
    [InlineData("720h")]
    public void Format_ParsedValue_ParsesBackToTheSameDuration(string text)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out _));
        Assert.True(GoDuration.TryParse(GoDuration.Format(value), out var again, out var error), error);
        Assert.Equal(value, again);
    }
}
