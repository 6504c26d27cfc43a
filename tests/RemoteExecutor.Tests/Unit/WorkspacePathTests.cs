using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Tests.Unit;

public sealed class WorkspacePathTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("re-wspath-").FullName;

    private string Root => Path.Combine(_base, "ws");

    private string Outside => Path.Combine(_base, "outside");

    public WorkspacePathTests()
    {
        Directory.CreateDirectory(Path.Combine(Root, "sub", "deep"));
        File.WriteAllText(Path.Combine(Root, "sub", "a.txt"), "a");
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "s");
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    private string? Resolve(string relative) =>
        WorkspacePath.TrySplit(relative, out var segments, out _) ? WorkspacePath.Resolve(Root, segments) : "refused";

    [Theory]
    [InlineData("..")]
    [InlineData("../outside/secret.txt")]
    [InlineData("sub/../../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("\\etc\\passwd")]
    [InlineData("C:/Windows")]
    [InlineData("sub\\..\\..")]
    [InlineData("a\u0000b")]
    public void TrySplit_TraversalOrAbsolute_IsRefusedWithAReason(string path)
    {
        Assert.False(WorkspacePath.TrySplit(path, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void TrySplit_DotsAndDoubleSlashes_AreDropped()
    {
        Assert.True(WorkspacePath.TrySplit("./sub//deep/./x.bin", out var segments, out _));
        Assert.Equal(["sub", "deep", "x.bin"], segments);
    }

    [Fact]
    public void Resolve_PlainAndMissingPaths_StayInside()
    {
        var realRoot = WorkspacePath.RealPath(Root)!;
        Assert.Equal(Path.Combine(realRoot, "sub", "a.txt"), Resolve("sub/a.txt"));
        Assert.Equal(Path.Combine(realRoot, "new", "dir", "f"), Resolve("new/dir/f"));
        Assert.Equal(realRoot, Resolve(""));
    }

    [Fact]
    public void Resolve_LinkToAFileOutside_IsNull()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "leak"), Path.Combine(Outside, "secret.txt"));
        Assert.Null(Resolve("leak"));
    }

    [Fact]
    public void Resolve_RelativeLinkToAFolderOutside_IsNullAlsoForPathsBelowIt()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub", "up"), "../../outside");
        Assert.Null(Resolve("sub/up"));
        Assert.Null(Resolve("sub/up/secret.txt"));
        Assert.Null(Resolve("sub/up/not-yet-there/file"));
    }

    [Fact]
    public void Resolve_ChainOfLinksEndingOutside_IsNull()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "hop2"), Outside);
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub", "hop1"), "../hop2");
        Assert.Null(Resolve("sub/hop1/secret.txt"));
    }

    [Fact]
    public void Resolve_DanglingLinkPointingOutside_IsNull()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "later"), Path.Combine(Outside, "not-yet.txt"));
        Assert.Null(Resolve("later"));
    }

    [Fact]
    public void Resolve_LinkThatStaysInside_ResolvesToItsTarget()
    {
        Directory.CreateSymbolicLink(Path.Combine(Root, "alias"), "sub/deep");
        Assert.Equal(Path.Combine(WorkspacePath.RealPath(Root)!, "sub", "deep", "x"), Resolve("alias/x"));
    }

    [Fact]
    public void Resolve_LinkLoop_IsNull()
    {
        File.CreateSymbolicLink(Path.Combine(Root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(Root, "loop2"), "loop1");
        Assert.Null(Resolve("loop1"));
    }

    [Fact]
    public void Resolve_WorkspaceReachedThroughALinkedFolder_StillConfinesToIt()
    {
        var linkedRoot = Path.Combine(_base, "linked-ws");
        Directory.CreateSymbolicLink(linkedRoot, Root);
        Assert.True(WorkspacePath.TrySplit("sub/a.txt", out var ok, out _));
        Assert.NotNull(WorkspacePath.Resolve(linkedRoot, ok));
        Directory.CreateSymbolicLink(Path.Combine(Root, "out"), Outside);
        Assert.True(WorkspacePath.TrySplit("out/secret.txt", out var bad, out _));
        Assert.Null(WorkspacePath.Resolve(linkedRoot, bad));
    }

    [Fact]
    public void ResolveParent_LinkAsLastSegment_IsTheLinkItself()
    {
        var link = Path.Combine(Root, "leak");
        File.CreateSymbolicLink(link, Path.Combine(Outside, "secret.txt"));
        Assert.True(WorkspacePath.TrySplit("leak", out var segments, out _));
        Assert.Equal(Path.Combine(WorkspacePath.RealPath(Root)!, "leak"), WorkspacePath.ResolveParent(Root, segments));
    }

    [Theory]
    [InlineData("/w/ws", "/w/ws", true)]
    [InlineData("/w/ws", "/w/ws/a", true)]
    [InlineData("/w/ws/", "/w/ws/a", true)]
    [InlineData("/w/ws", "/w/ws2/a", false)]
    [InlineData("/w/ws", "/w", false)]
    public void IsInside_ComparesWholeSegments(string root, string path, bool inside) =>
        Assert.Equal(inside, WorkspacePath.IsInside(root, path));
}
