namespace RemoteExecutor.Silo.Cli;

/// <summary>
/// Reads a secret given as <c>--x_file PATH</c> so it never shows in a process list: the whole file, one trailing
/// newline (LF or CRLF) removed. Works with systemd <c>LoadCredential=</c> (<c>$CREDENTIALS_DIRECTORY/name</c>).
/// </summary>
public static class SecretFile
{
    /// <summary>The secret, or false with a one-line error naming the flag and the file.</summary>
    public static bool TryRead(string flag, string path, out string secret, out string error)
    {
        secret = "";
        error = "";
        try
        {
            var text = File.ReadAllText(path);
            if (text.EndsWith("\r\n", StringComparison.Ordinal))
            {
                text = text[..^2];
            }
            else if (text.EndsWith('\n'))
            {
                text = text[..^1];
            }

            if (text.Trim().Length == 0)
            {
                error = $"{flag}: file \"{path}\" is empty";
                return false;
            }

            secret = text;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            error = $"{flag}: cannot read \"{path}\": {ex.Message}";
            return false;
        }
    }
}
