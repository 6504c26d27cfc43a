using System.Text;
using RemoteExecutor.Grains.Execution.Spawning;

namespace RemoteExecutor.Tests.Unit;

/// <summary>The argument vector, environment block and exit status of a directly spawned step.</summary>
public sealed class SpawnBlockTests
{
    [Fact]
    public void Arguments_ExecutableComesFirstAsArgv0_ThenTheArgumentsUnchanged()
    {
        Assert.Equal(["/usr/bin/bash", "-e", "a b", "/root/scripts/t/s.sh"],
            SpawnBlock.Arguments("/usr/bin/bash", ["-e", "a b", "/root/scripts/t/s.sh"]));
    }

    [Fact]
    public void Environment_SortedNameValueEntries_WithoutUnsetOnes_PwdIsTheWorkingDirectory()
    {
        var block = SpawnBlock.Environment(
            new Dictionary<string, string?> { ["B"] = "2", ["A"] = "x=y", ["UNSET"] = null, ["PWD"] = "/srv/service", ["EMPTY"] = "" },
            "/root/workspace/t1");

        Assert.Equal(["A=x=y", "B=2", "EMPTY=", "PWD=/root/workspace/t1"], block);
    }

    [Fact]
    public void Environment_NamesNoShellAccepts_AreKept_NamesNoEnvironmentCanHold_AreLeftOut()
    {
        var block = SpawnBlock.Environment(
            new Dictionary<string, string?> { ["MY-VAR.x"] = "1", ["1ST"] = "2", [""] = "3", ["A=B"] = "4", ["NUL\0"] = "5" },
            "/w");

        Assert.Equal(["1ST=2", "MY-VAR.x=1", "PWD=/w"], block);
    }

    [Fact]
    public void CString_IsUtf8NulTerminated_AndCutAtAnEmbeddedNul()
    {
        Assert.Equal([.. Encoding.UTF8.GetBytes("grüß"), 0], SpawnBlock.CString("grüß"));
        Assert.Equal("ab\0"u8.ToArray(), SpawnBlock.CString("ab\0cd"));
        Assert.Equal([0], SpawnBlock.CString(""));
    }

    [Theory]
    [InlineData(0x0000, 0)]
    [InlineData(0x0100, 1)]
    [InlineData(0x7F00, 127)]
    [InlineData(0xFF00, 255)]
    [InlineData(0x000F, 128 + 15)]
    [InlineData(0x0009, 128 + 9)]
    [InlineData(0x0086, 128 + 6)]
    [InlineData(0x137F, ExitStatus.Unknown)]
    public void Decode_ExitGivesItsCode_SignalGives128PlusIt_CoreDumpFlagIgnored(int status, int code)
    {
        Assert.Equal(code, ExitStatus.Decode(status));
    }
}
