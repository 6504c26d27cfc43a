using System.Security.Cryptography;
using RemoteExecutor.Grains.Execution;
using RemoteExecutor.Grains.Interfaces;

namespace RemoteExecutor.Tests.Unit;

public sealed class SecretSealTests
{
    private static SecretSeal NewSeal() => new(RandomNumberGenerator.GetBytes(SecretSeal.KeyBytes));

    [Fact]
    public void SealEntry_SecretValue_IsEncrypted_AndOpensBack()
    {
        var seal = NewSeal();
        var sealedEntry = seal.SealEntry("SECRET:API_KEY=hunter2-very-secret");

        Assert.StartsWith("SECRET:API_KEY=" + SecretSeal.Prefix, sealedEntry, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", sealedEntry, StringComparison.Ordinal);
        Assert.Equal("SECRET:API_KEY=hunter2-very-secret", seal.OpenEntry(sealedEntry));
        Assert.Equal(["API_KEY=***"], EnvEntries.Masked([sealedEntry]));
    }

    [Fact]
    public void SealEntry_PlainEntries_StayAsTheyAre()
    {
        var seal = NewSeal();
        Assert.Equal("STAGE=prod", seal.SealEntry("STAGE=prod"));
        Assert.Equal("not an entry", seal.SealEntry("not an entry"));
    }

    [Fact]
    public void SealEntry_TwiceTheSameValue_GivesDifferentCiphertexts_AndSealingIsIdempotent()
    {
        var seal = NewSeal();
        var a = seal.SealEntry("SECRET:X=abcdef");
        var b = seal.SealEntry("SECRET:X=abcdef");
        Assert.NotEqual(a, b);
        Assert.Equal(a, seal.SealEntry(a));
    }

    [Fact]
    public void Open_WithAnotherKey_Throws()
    {
        var sealedValue = NewSeal().SealValue("multi\nline\nsecret");
        Assert.ThrowsAny<CryptographicException>(() => NewSeal().OpenValue(sealedValue));
    }

    [Fact]
    public void Open_Request_OpensEnvAndSecrets()
    {
        var seal = NewSeal();
        var request = new ExecutionRequest
        {
            TaskId = "t",
            StepName = "s",
            Run = Guid.NewGuid(),
            CommandType = "bash",
            CommandContent = "true",
            Env = ["A=1", seal.SealEntry("SECRET:B=two-two")],
            Secrets = [seal.SealValue("two-two"), "plain-one"],
        };

        var opened = seal.Open(request);

        Assert.Equal(["A=1", "SECRET:B=two-two"], opened.Env);
        Assert.Equal(["two-two", "plain-one"], opened.Secrets);
    }
}
