namespace RemoteExecutor.Grains.Execution;

/// <summary>The supported command types: canonical name, interpreter and script file extension.</summary>
public static class CommandTypes
{
    private static readonly Dictionary<string, Interpreter> ByAlias = Build();

    /// <summary>All accepted names, for error messages.</summary>
    public static IReadOnlyList<string> Supported { get; } =
    [
        "bash", "sh", "shell", "ash", "dash", "ksh", "zsh", "csh", "tcsh",
        "python3", "py3", "python", "python2", "py", "py2", "powershell", "pwsh", "cmd",
    ];

    /// <summary>Maps any accepted name (case-insensitive) to its interpreter; null when unknown.</summary>
    public static Interpreter? Find(string? name) =>
        name is not null && ByAlias.TryGetValue(name.Trim().ToLowerInvariant(), out var i) ? i : null;

    private static Dictionary<string, Interpreter> Build()
    {
        var bash = new Interpreter("bash", ["bash"], ["-o", "pipefail"], ".sh");
        var sh = new Interpreter("sh", ["sh"], [], ".sh");
        var py3 = new Interpreter("python3", ["python3"], [], ".py");
        var py = new Interpreter("python", ["python", "python2"], [], ".py");
        var pwsh = new Interpreter("powershell", OperatingSystem.IsWindows() ? ["pwsh", "powershell"] : ["pwsh"],
            ["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File"], ".ps1");
        var cmd = new Interpreter("cmd", ["cmd"], ["/D", "/Q", "/C"], ".cmd");
        var map = new Dictionary<string, Interpreter>
        {
            ["bash"] = bash, ["sh"] = sh, ["shell"] = sh,
            ["python3"] = py3, ["py3"] = py3, ["python"] = py, ["python2"] = py, ["py"] = py, ["py2"] = py,
            ["powershell"] = pwsh, ["pwsh"] = pwsh, ["cmd"] = cmd,
        };
        foreach (var shell in new[] { "ash", "dash", "ksh", "zsh", "csh", "tcsh" })
        {
            map[shell] = new Interpreter(shell, [shell], [], ".sh");
        }

        return map;
    }
}
