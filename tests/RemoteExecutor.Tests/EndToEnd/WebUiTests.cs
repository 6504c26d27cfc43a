using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using RemoteExecutor.Tests.Harness;

namespace RemoteExecutor.Tests.EndToEnd;

/// <summary>
/// The web UI at <c>/ui</c> in a real browser (Debian's chromium driven by Playwright) against the real binary: sign
/// in, submit, follow a console live, kill, resize the pool. The screenshots it takes are the README's (docs/screenshots).
/// </summary>
public sealed class WebUiTests : IAsyncLifetime
{
    /// <summary>Debian's chromium; ops/run-tests.sh installs it. Playwright never downloads a browser here.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private static readonly float Timeout = 20_000;

    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    /// <summary>
    /// Where a screenshot goes: the README's folder (docs/screenshots) when RE_UPDATE_SCREENSHOTS=1, else a temporary
    /// folder, so a test run leaves the working tree as it found it.
    /// </summary>
    private static readonly Lazy<string> ShotDir = new(() =>
        Environment.GetEnvironmentVariable("RE_UPDATE_SCREENSHOTS") == "1"
            ? Directory.CreateDirectory(Path.Combine(ServerBinary.RepoRoot, "docs", "screenshots")).FullName
            : Directory.CreateTempSubdirectory("re-ui-shots-").FullName);

    private static string Shot(string name) => Path.Combine(ShotDir.Value, name);

    [Fact]
    public async Task Ui_StaticFiles_AreOpenTypedAndUnderAStrictPolicy_WhileTheApiStillNeedsTheToken()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        using var page = await anonymous.GetAsync(new Uri("/ui", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script type=\"module\" src=\"/ui/js/app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Equal(1, html.Split("<script", StringSplitOptions.None).Length - 1);

        foreach (var (path, type) in new[] { ("/ui/js/app.js", "text/javascript"), ("/ui/js/pages/task.js", "text/javascript"), ("/ui/app.css", "text/css"), ("/ui/favicon.svg", "image/svg+xml") })
        {
            using var file = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, file.StatusCode);
            Assert.Equal(type, file.Content.Headers.ContentType?.MediaType);
            Assert.True(file.Headers.Contains("Content-Security-Policy"), path);

            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.IfNoneMatch.Add(file.Headers.ETag!);
            using var cached = await anonymous.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        }

        var missing = await _server.Api.SendAsync(HttpMethod.Get, "/ui/js/nothing.js", configure: r => r.Headers.Authorization = null);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal(1003, missing.Code);

        using var api = await anonymous.GetAsync(new Uri("/api/v1/task", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task Ui_InChromium_SignsInSubmitsFollowsLiveKillsAndResizes()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (ops/run-tests.sh does)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Args = ["--no-sandbox"] });
        await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, AcceptDownloads = true });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.Contains("status of 4", StringComparison.Ordinal))
            {
                errors.Add(m.Text);
            }
        };

        // A browser opening the root lands on the UI's sign-in; a wrong token is refused with the server's message.
        await page.GotoAsync(_server.BaseAddress.ToString());
        Assert.EndsWith("/ui", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await page.GetByLabel("API token").FillAsync("wrong-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("refused");
        await page.GetByLabel("API token").FillAsync(_server.Token!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tasks" })).ToBeVisibleAsync();

        // Submit a two-step task from the form (JSON); the first step prints a line every 200 ms, then waits for a
        // gate file, so it is still running, deterministically, while the test reads its console in the page.
        var id = NewId("ui");
        await page.GetByRole(AriaRole.Link, new() { Name = "Submit", Exact = true }).ClickAsync();
        await page.GetByLabel("Format").SelectOptionAsync("json");
        var body = JsonSerializer.Serialize(new
        {
            id,
            async = true,
            step = new object[]
            {
                new { name = "ticks", command_type = "bash", command_content = "for i in $(seq 1 15); do echo \"tick $i\"; sleep 0.2; done\nfor j in $(seq 1 600); do [ -f gate ] && break; sleep 0.1; done\necho released" },
                new { name = "after", command_type = "bash", command_content = "echo after-ran", depends_on = new[] { "ticks" } },
            },
        });
        await page.GetByLabel("Task body").FillAsync(body);
        await page.ScreenshotAsync(new() { Path = Shot("submit.png") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Submit task" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Task {id}" })).ToBeVisibleAsync();

        var console = page.Locator("#console");
        var ticks = page.GetByRole(AriaRole.Button, new() { Name = "Step ticks: Running" });
        await Assertions.Expect(console).ToContainTextAsync("tick 15");
        await Assertions.Expect(ticks).ToBeVisibleAsync();
        Assert.Equal(1, (await _server.Api.DetailAsync(id)).Step("ticks").GetProperty("state").GetInt32());
        await Assertions.Expect(page.Locator("#task-state")).ToHaveTextAsync("Running");
        Assert.DoesNotContain("released", await console.TextContentAsync() ?? "", StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Shot("task-running.png") });

        await File.WriteAllTextAsync(Path.Combine(_server.Root, "workspace", id, "gate"), "");
        await Assertions.Expect(console).ToContainTextAsync("released");
        await Assertions.Expect(page.Locator("#task-state")).ToHaveTextAsync("Succeeded");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Step after: Succeeded" })).ToBeVisibleAsync();

        // Search filters the lines shown; the download has every line.
        await page.GetByLabel("Search the console").FillAsync("tick 1");
        await Assertions.Expect(page.Locator("#console-count")).ToHaveTextAsync("7 of 16 lines match");
        Assert.DoesNotContain("tick 2", await console.TextContentAsync() ?? "", StringComparison.Ordinal);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download the console" }).ClickAsync());
        var saved = Path.Combine(_server.Root, "console.log");
        await download.SaveAsAsync(saved);
        var lines = await File.ReadAllLinesAsync(saved);
        Assert.Equal([.. Enumerable.Range(1, 15).Select(i => $"tick {i}"), "released"], lines);
        await page.GetByLabel("Search the console").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Step after: Succeeded" }).ClickAsync();
        await Assertions.Expect(console).ToContainTextAsync("after-ran");
        await page.GetByRole(AriaRole.Button, new() { Name = "Step ticks: Succeeded" }).ClickAsync();
        await Assertions.Expect(console).ToContainTextAsync("released");
        await page.ScreenshotAsync(new() { Path = Shot("task.png") });

        // Kill a running task from its page.
        var sleeper = NewId("uikill");
        await _server.Api.SubmitOkAsync(sleeper, [new System.Text.Json.Nodes.JsonObject { ["name"] = "nap", ["command_type"] = "bash", ["command_content"] = "echo napping; sleep 120" }]);
        await _server.Api.WaitForStepRunningAsync(sleeper, "nap");
        await page.GotoAsync(new Uri(_server.BaseAddress, $"/ui#/task/{sleeper}").ToString());
        await Assertions.Expect(page.Locator("#task-state")).ToHaveTextAsync("Running");
        await Assertions.Expect(console).ToContainTextAsync("napping");
        await page.GetByRole(AriaRole.Button, new() { Name = "Kill" }).ClickAsync();
        await Assertions.Expect(page.Locator("#task-state")).ToHaveTextAsync("Killed");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Step nap: Killed" })).ToBeVisibleAsync();
        Assert.Equal(-255, (await _server.Api.DetailAsync(sleeper)).Step("nap").GetProperty("state").GetInt32());

        // A fan-out (targets all: here the one node) lists its runs by node; choosing the node shows its steps and console.
        var node = (await _server.Api.GetAsync("/api/v1/nodes")).Data.GetProperty("nodes")[0].GetProperty("name").GetString()!;
        var fan = NewId("uifan");
        var fanSubmit = await _server.Api.SubmitV2Async(new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = fan,
            ["targets"] = new System.Text.Json.Nodes.JsonObject { ["all"] = true },
            ["step"] = Steps.Array(Steps.Of("echo on-$TASK_NODE", name: "work")),
        });
        Assert.True(fanSubmit.Code == 0, $"fan-out submit: {fanSubmit}");
        await _server.Api.WaitForFinalAsync(fan);
        await page.GotoAsync(new Uri(_server.BaseAddress, $"/ui#/task/{fan}").ToString());
        var runs = page.GetByRole(AriaRole.Table, new() { Name = "Runs by node" });
        await Assertions.Expect(runs.GetByRole(AriaRole.Row).Filter(new() { HasText = node })).ToContainTextAsync("Succeeded");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Steps on all nodes" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".console-view .status")).ToContainTextAsync("choose a node");
        await page.GetByLabel("Node", new() { Exact = true }).SelectOptionAsync(node);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Steps on node {node}" })).ToBeVisibleAsync();
        Assert.EndsWith($"?node={node}", new Uri(page.Url).Fragment, StringComparison.Ordinal);
        await Assertions.Expect(console).ToContainTextAsync($"on-{node}");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Step work: Succeeded" })).ToBeVisibleAsync();
        await Assertions.Expect(runs.GetByRole(AriaRole.Link, new() { Name = node })).ToHaveAttributeAsync("aria-current", "true");

        // The list shows the tasks with their states, and the fan-out's number of nodes.
        await page.GetByRole(AriaRole.Link, new() { Name = "Tasks", Exact = true }).ClickAsync();
        var tasks = page.GetByRole(AriaRole.Table, new() { Name = "Tasks, newest first" });
        await Assertions.Expect(tasks.GetByRole(AriaRole.Row).Filter(new() { HasText = sleeper })).ToContainTextAsync("Killed");
        await Assertions.Expect(tasks.GetByRole(AriaRole.Row).Filter(new() { HasText = id })).ToContainTextAsync("Succeeded");
        await Assertions.Expect(tasks.GetByRole(AriaRole.Row).Filter(new() { HasText = fan }).Locator("td").Nth(4)).ToHaveTextAsync("1");
        await Assertions.Expect(tasks.GetByRole(AriaRole.Row).Filter(new() { HasText = id }).Locator("td").Nth(4)).ToHaveTextAsync("");
        await page.GetByLabel("State").SelectOptionAsync("killed");
        await Assertions.Expect(tasks.GetByRole(AriaRole.Row).Filter(new() { HasText = id })).ToHaveCountAsync(0);
        await page.GetByLabel("State").SelectOptionAsync("all");
        await page.ScreenshotAsync(new() { Path = Shot("tasks.png") });

        // Resize the pool of this node.
        await page.GetByRole(AriaRole.Link, new() { Name = "Pool & nodes" }).ClickAsync();
        await page.GetByLabel($"New pool size for {node}").FillAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Resize the pool of {node}" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = node }).Locator("td").Nth(2)).ToHaveTextAsync("7");
        Assert.Equal(7, (await _server.Api.GetAsync("/api/v1/pool")).Data.GetProperty("size").GetInt32());
        await page.ScreenshotAsync(new() { Path = Shot("pool.png") });

        // The audit page lists what was done.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Table, new() { Name = "Audit log, newest first" })).ToContainTextAsync("kill");

        // A phone-width screen: the task page still shows the graph, the states and the console.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(new Uri(_server.BaseAddress, $"/ui#/task/{id}").ToString());
        await Assertions.Expect(page.Locator("#task-state")).ToHaveTextAsync("Succeeded");
        await Assertions.Expect(console).ToContainTextAsync("released");
        await page.ScreenshotAsync(new() { Path = Shot("task-phone.png"), FullPage = true });

        Assert.Empty(errors);
    }
}
