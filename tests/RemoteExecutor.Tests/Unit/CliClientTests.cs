using RemoteExecutor.Silo.Cli.Client;

namespace RemoteExecutor.Tests.Unit;

public sealed class CliClientTests
{
    [Theory]
    [InlineData(true, 0, 0)]
    [InlineData(false, 3, 3)]
    [InlineData(false, 0, 1)]
    [InlineData(false, -255, 1)]
    [InlineData(false, 255, 255)]
    [InlineData(false, 700, 255)]
    public void ForOutcome_MapsTaskCodeToExitCode(bool succeeded, long code, int expected) =>
        Assert.Equal(expected, ExitCodes.ForOutcome(succeeded, code));

    [Fact]
    public void Resolve_TokenOrder_FlagThenFileThenLocalRoot()
    {
        var root = Directory.CreateTempSubdirectory("re-cli-root-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "data"));
            File.WriteAllText(Path.Combine(root, "data", "token"), "local-token\n");
            var file = Path.Combine(root, "given");
            File.WriteAllText(file, "file-token\n");

            Assert.Equal("flag-token", ClientConnection.Resolve(null, "flag-token", file, root).Connection!.Token);
            Assert.Equal("file-token", ClientConnection.Resolve(null, null, file, root).Connection!.Token);
            Assert.Equal("local-token", ClientConnection.Resolve(null, null, null, root).Connection!.Token);
            Assert.Null(ClientConnection.Resolve(null, null, null, Path.Combine(root, "nothing")).Connection!.Token);
            Assert.Contains("--token_file", ClientConnection.Resolve(null, null, Path.Combine(root, "missing"), root).Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(null, "http://localhost:2376/")]
    [InlineData("http://10.0.0.5:9000", "http://10.0.0.5:9000/")]
    [InlineData("exec.example:2376", "http://exec.example:2376/")]
    [InlineData("https://exec.example", "https://exec.example/")]
    public void Resolve_Url_DefaultsAndSchemes(string? url, string expected) =>
        Assert.Equal(expected, ClientConnection.Resolve(url, "t", null, "/nonexistent").Connection!.BaseAddress.ToString());

    [Fact]
    public void Resolve_NotHttp_Refused() =>
        Assert.NotNull(ClientConnection.Resolve("ftp://x", "t", null, "/nonexistent").Error);

    [Theory]
    [InlineData("task.json", "id: x", true)]
    [InlineData("task.yaml", "{\"id\": \"x\"}", false)]
    [InlineData("task.yml", "id: x", false)]
    [InlineData("-", "  {\"id\": \"x\"}", true)]
    [InlineData("-", "id: x", false)]
    public void IsJson_ByNameThenByContent(string path, string text, bool expected) =>
        Assert.Equal(expected, TaskFile.IsJson(path, text));
}
