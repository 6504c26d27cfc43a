using Microsoft.AspNetCore.Http;

namespace RemoteExecutor.Api;

/// <summary>Absolute URLs handed out in answers.</summary>
public static class Urls
{
    public static string Base(HttpRequest r) => $"{r.Scheme}://{r.Host}";

    public static string Task(HttpRequest r, string task) => $"{Base(r)}/api/v1/task/{Uri.EscapeDataString(task)}";

    public static string Console(HttpRequest r, string task, string step) =>
        $"{Task(r, task)}/{Uri.EscapeDataString(step)}/console";

    public static string Workspace(HttpRequest r, string task) => $"{Task(r, task)}/workspace";
}
