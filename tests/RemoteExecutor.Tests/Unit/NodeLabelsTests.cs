using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class NodeLabelsTests
{
    [Fact]
    public void Matches_NeedsEveryLabelOfTheSelectorWithTheSameValue()
    {
        var labels = new Dictionary<string, string> { ["role"] = "web", ["zone"] = "eu" };
        Assert.True(NodeLabels.Matches(labels, new Dictionary<string, string> { ["role"] = "web" }));
        Assert.True(NodeLabels.Matches(labels, new Dictionary<string, string> { ["role"] = "web", ["zone"] = "eu" }));
        Assert.False(NodeLabels.Matches(labels, new Dictionary<string, string> { ["role"] = "Web" }));
        Assert.False(NodeLabels.Matches(labels, new Dictionary<string, string> { ["role"] = "web", ["rack"] = "1" }));
    }

    [Fact]
    public void Metadata_RoundTrips_AndUnknownMetadataIsNotNoLabels()
    {
        var labels = new Dictionary<string, string> { ["role"] = "web" };
        var metadata = NodeLabels.ToMetadata("n1", labels);
        Assert.Equal(labels, NodeLabels.FromMetadata(metadata));
        Assert.Empty(NodeLabels.FromMetadata(NodeLabels.ToMetadata("n1", new Dictionary<string, string>()))!);
        Assert.Null(NodeLabels.FromMetadata(new Dictionary<string, string>()));
    }

    [Theory]
    [InlineData("role", "expected key=value")]
    [InlineData("=web", "invalid label key")]
    [InlineData("role=a b", "invalid label value")]
    public void TryParse_BadLabel_NamesWhatIsWrong(string text, string expected)
    {
        Assert.False(NodeLabels.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
