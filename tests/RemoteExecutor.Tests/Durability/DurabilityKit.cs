using System.Diagnostics;
using System.Net;
using System.Text.Json;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.Durability;

/// <summary>
/// The durability suites share one collection: each starts, kills and restarts its own servers, and on a
/// 2-core machine their timing assertions hold better when they do not all run at once.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DurabilityCollection
{
    public const string Name = "durability";
}

/// <summary>Small helpers of the durability and cluster suites: states, list polling, shell commands, markers.</summary>
public static class DurabilityKit
{
    /// <summary>Task states (the list's <c>state</c>) that do not change any more.</summary>
    public static readonly IReadOnlySet<int> FinalTaskStates = new HashSet<int> { 0, -255, -256, -999 };

    public static int State(JsonElement step) => step.GetProperty("state").GetInt32();

    public static string Msg(JsonElement step) => step.GetProperty("msg").GetString() ?? "";

    /// <summary>A <c>sleep N</c> command line no other test uses: a marker to find the step's process with <c>ps</c>.</summary>
    public static string Marker(int baseSeconds) => $"sleep {baseSeconds + Random.Shared.Next(99_999)}";

    /// <summary>The task as the list shows it, or null when it is not listed.</summary>
    public static async Task<JsonElement?> ListedAsync(TaskApi api, string id)
    {
        var list = await api.ListAsync();
        Assert.True(list.Status == HttpStatusCode.OK, $"list failed: {list}");
        return TaskApi.ListedTasks(list).TryGetValue(id, out var task) ? task : null;
    }

    /// <summary>
    /// Polls only the list (the read model), never the task itself, until the task is final there: proves the
    /// server drives the task on by itself, not because a client asked for it.
    /// </summary>
    public static Task<JsonElement> WaitListedFinalAsync(TaskApi api, string id, TimeSpan deadline) =>
        Poll.UntilAsync(
            async () =>
            {
                var task = await ListedAsync(api, id);
                return (task is { } t && FinalTaskStates.Contains(t.GetProperty("state").GetInt32()), task ?? default);
            },
            deadline,
            last => $"task {id} is not final in the list within {deadline.TotalSeconds} s; last seen: {(last.ValueKind == JsonValueKind.Undefined ? "(not listed)" : last.ToString())}");

    /// <summary>Runs a program and returns its exit code and combined output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Runs a program and fails the test when it exits non-zero.</summary>
    public static async Task<string> RunOkAsync(string program, params string[] args)
    {
        var (code, output) = await RunAsync(program, args);
        Assert.True(code == 0, $"{program} {string.Join(' ', args)} exited {code}: {output}");
        return output;
    }

    /// <summary>Sends a signal to a process the test started (by pid).</summary>
    public static Task SignalAsync(int pid, string signal) => RunOkAsync("kill", $"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Every file and directory under <paramref name="dir"/>, relative, sorted; <paramref name="skip"/> subtrees left out.</summary>
    public static List<string> Snapshot(string dir, params string[] skip)
    {
        var skipped = skip.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        var result = new List<string>();
        var pending = new Stack<string>();
        pending.Push(dir);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            foreach (var entry in Directory.EnumerateFileSystemEntries(current))
            {
                if (skipped.Contains(Path.GetFullPath(entry)))
                {
                    result.Add(Path.GetRelativePath(dir, entry) + " (skipped)");
                    continue;
                }

                result.Add(Path.GetRelativePath(dir, entry));
                if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
                {
                    pending.Push(entry);
                }
            }
        }

        result.Sort(StringComparer.Ordinal);
        return result;
    }

    /// <summary>Fails unless the answer is a JSON envelope (code, message, timestamp).</summary>
    public static void AssertEnvelope(ApiAnswer answer, string what)
    {
        Assert.True(answer.Json is { ValueKind: JsonValueKind.Object } json
                && json.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number
                && json.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                && json.TryGetProperty("timestamp", out var ts) && ts.ValueKind == JsonValueKind.Number,
            $"{what}: not a JSON envelope: {answer}");
    }
}
