using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class NamesTests
{
    [Theory]
    [InlineData("../../etc/passwd", "etcpasswd")]
    [InlineData("a\0b", "ab")]
    [InlineData("my-task!", "mytask")]
    [InlineData("a b.c_d/e\\f:g*h?\"<>|", "abcdefgh")]
    [InlineData("构建任务1", "构建任务1")]
    [InlineData("日本語-テスト", "日本語テスト")]
    [InlineData("Step 42", "Step42")]
    [InlineData("$(rm -rf /)", "rmrf")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("!!!", "")]
    public void Sanitize_RawName_KeepsOnlyLettersDigitsAndIdeographs(string? raw, string expected) =>
        Assert.Equal(expected, Names.Sanitize(raw));

    [Fact]
    public void Sanitize_Emoji_IsRemoved() => Assert.Equal("ok", Names.Sanitize("o\U0001F600k"));

    [Fact]
    public void NewTaskId_TwoCalls_GiveDistinctIdsThatSurviveSanitising()
    {
        var first = Names.NewTaskId();
        var second = Names.NewTaskId();
        Assert.NotEqual(first, second);
        Assert.Equal(first, Names.Sanitize(first));
        Assert.Equal(32, first.Length);
    }
}
