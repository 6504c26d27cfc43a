using RemoteExecutor.Grains.Execution;

namespace RemoteExecutor.Tests.Unit;

public sealed class SecretMaskerTests
{
    private const string Pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\nZg==\n-----END PRIVATE KEY-----\n";

    /// <summary>Feeds <paramref name="pieces"/> as one line and returns everything the masker released.</summary>
    private static string Line(SecretMasker masker, params string[] pieces) =>
        string.Concat(pieces.Select((p, i) => masker.Feed(p, i == pieces.Length - 1)));

    [Fact]
    public void Feed_WholeLine_MasksEveryOccurrence()
    {
        var masker = new SecretMasker(["hunter2-Zq"]);
        Assert.Equal("a=*** b=*** end", masker.Feed("a=hunter2-Zq b=hunter2-Zq end", endOfLine: true));
    }

    [Fact]
    public void Feed_NoSecrets_PassesTextThroughUnchanged()
    {
        var masker = new SecretMasker([]);
        Assert.True(masker.IsEmpty);
        Assert.Equal("plain text", masker.Feed("plain text", endOfLine: false));
    }

    [Fact]
    public void Feed_SecretSplitBetweenPieces_IsStillMasked()
    {
        var masker = new SecretMasker(["0123456789abcdef"]);
        var shown = Line(masker, "prefix 01234", "56789a", "bcdef suffix");
        Assert.Equal("prefix *** suffix", shown);
    }

    [Fact]
    public void Feed_EverySplitPointOfAPiece_NeverShowsTheSecret()
    {
        const string Secret = "s3cr3t-value-42";
        var text = $"x{Secret}y{Secret}{Secret}z";
        for (var cut1 = 0; cut1 <= text.Length; cut1++)
        {
            for (var cut2 = cut1; cut2 <= text.Length; cut2++)
            {
                var masker = new SecretMasker([Secret]);
                var shown = Line(masker, text[..cut1], text[cut1..cut2], text[cut2..]);
                Assert.DoesNotContain("s3cr", shown, StringComparison.Ordinal);
                Assert.DoesNotContain("e-42", shown, StringComparison.Ordinal);
                Assert.StartsWith("x***", shown, StringComparison.Ordinal);
                Assert.EndsWith("***z", shown, StringComparison.Ordinal);
                Assert.Contains("y", shown, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Feed_HoldsBackAtMostTheLongestSecretLessOne()
    {
        var masker = new SecretMasker(["abcdefgh"]);
        Assert.Equal(7, masker.HoldBack);
        var shown = masker.Feed(new string('x', 100), endOfLine: false);
        Assert.Equal(93, shown.Length);
        Assert.Equal(7, masker.Pending);
    }

    [Fact]
    public void Feed_OverlappingSecrets_HidesEveryCharacterOfBoth()
    {
        var masker = new SecretMasker(["abcdef", "xxab"]);
        Assert.Equal("<***>", masker.Feed("<xxabcdef>", endOfLine: true));
    }

    [Fact]
    public void Feed_SecretThatContainsAnother_IsMaskedWhole()
    {
        var masker = new SecretMasker(["pass", "password123"]);
        Assert.Equal("*** and ***", masker.Feed("password123 and pass", endOfLine: true));
    }

    [Fact]
    public void Feed_MultiLineSecret_EachLineIsMaskedOnItsOwn()
    {
        var masker = new SecretMasker([Pem]);
        foreach (var line in Pem.TrimEnd('\n').Split('\n'))
        {
            Assert.Equal("***", masker.Feed(line, endOfLine: true));
        }

        // Lines of the key inside other text are masked too.
        Assert.Equal("key: ***!", masker.Feed("key: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC!", endOfLine: true));
        Assert.Equal("***x", masker.Feed("Zg==x", endOfLine: true));
    }

    [Fact]
    public void Feed_ShortLineOfAMultiLineSecret_IsMaskedOnlyAsAWholeLine()
    {
        var masker = new SecretMasker(["abcdef\nxy\n"]);
        Assert.Equal("***", masker.Feed("xy", endOfLine: true));
        Assert.Equal("***", masker.Feed("  xy\r", endOfLine: true));
        Assert.Equal("xyz and xy inside", masker.Feed("xyz and xy inside", endOfLine: true));
    }

    [Fact]
    public void Feed_SecretWithCarriageReturn_IsMaskedWithoutIt()
    {
        var masker = new SecretMasker(["token-value\r"]);
        Assert.Equal("t=***", masker.Feed("t=token-value", endOfLine: true));
    }

    [Fact]
    public void Feed_LinesAreIndependent_NoStateLeaksIntoTheNextLine()
    {
        var masker = new SecretMasker(["abcdefgh"]);
        Assert.Equal("", masker.Feed("abcd", endOfLine: false));
        Assert.Equal("abcd", masker.Feed("", endOfLine: true));
        Assert.Equal("efgh", masker.Feed("efgh", endOfLine: true));
    }

    [Fact]
    public void Feed_SecretLongerThanPieces_IsMaskedAcrossManyPieces()
    {
        var secret = new string('k', 50) + "END";
        var masker = new SecretMasker([secret]);
        var text = "<" + secret + ">";
        var pieces = Enumerable.Range(0, (text.Length + 9) / 10).Select(i => text.Substring(i * 10, Math.Min(10, text.Length - (i * 10)))).ToArray();
        Assert.Equal("<***>", Line(masker, pieces));
    }
}
