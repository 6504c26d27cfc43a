using System.Text.Json;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Samples.EchoPlugin;

/// <summary>
/// <c>command_type: echo</c>: prints <c>command_content</c> line by line, then <c>NAME=value</c> for each name in
/// <c>with.env</c>; waits <c>with.sleep_ms</c> milliseconds (stopping at once on kill or timeout) and ends with
/// <c>with.exit_code</c> (default 0).
/// </summary>
public sealed class EchoStepKind : IStepKind
{
    /// <inheritdoc/>
    public string Name => "echo";

    /// <inheritdoc/>
    public string? Validate(StepDefinition step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Setting("exit_code") is { } code && (code.ValueKind != JsonValueKind.Number || !code.TryGetInt32(out _)))
        {
            return "echo: with.exit_code must be a whole number";
        }

        if (step.Setting("sleep_ms") is { } sleep && (sleep.ValueKind != JsonValueKind.Number || !sleep.TryGetInt32(out var ms) || ms < 0))
        {
            return "echo: with.sleep_ms must be a whole number of milliseconds";
        }

        if (step.Setting("env") is { } env && (env.ValueKind != JsonValueKind.Array || env.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)))
        {
            return "echo: with.env must be a list of variable names";
        }

        return null;
    }

    /// <inheritdoc/>
    public async Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var line in context.Step.CommandContent.Split('\n'))
        {
            await context.Console.WriteLineAsync(line.TrimEnd('\r'));
        }

        if (context.Step.Setting("env") is { } env)
        {
            foreach (var name in env.EnumerateArray().Select(e => e.GetString()!))
            {
                await context.Console.WriteLineAsync($"{name}={context.Environment.GetValueOrDefault(name, "")}");
            }
        }

        if (context.Step.Setting("sleep_ms") is { } sleep)
        {
            await Task.Delay(sleep.GetInt32(), cancellationToken);
        }

        var code = context.Step.Setting("exit_code")?.GetInt32() ?? 0;
        return code == 0 ? StepResult.Success : new StepResult(code, $"echo was asked to end with {code}");
    }
}
