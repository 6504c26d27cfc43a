using RemoteExecutor.Plugins;
using Wasmtime;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// The built-in <c>wasm</c> kind: runs the WebAssembly/WASI command module at <c>command_content</c> (a path relative
/// to the task workspace; <c>.wasm</c> binary or <c>.wat</c> text) with Wasmtime. The guest gets the step's
/// environment, the workspace preopened as <c>.</c> (read-write) and the module path as its only argument; its
/// stdout and stderr become console lines; <c>proc_exit</c> gives the step's code, a trap code 1. Kill and timeout
/// interrupt the guest through epoch interruption (a guest blocked in a host call stops when that call returns).
/// </summary>
public sealed class WasmStepKind : IStepKind
{
    private static readonly Lazy<Engine> SharedEngine = new(() => new Engine(new Config().WithEpochInterruption(true)));

    public string Name => "wasm";

    public string? Validate(StepDefinition step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var path = step.CommandContent.Trim();
        if (path.Length == 0)
        {
            return "wasm: command_content must be the module's path relative to the task workspace";
        }

        if (Path.IsPathRooted(path) || path.Replace('\\', '/').Split('/').Contains(".."))
        {
            return $"wasm: \"{path}\" must be a path inside the task workspace (relative, without \"..\")";
        }

        return null;
    }

    public Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var relative = context.Step.CommandContent.Trim();
        var path = Path.GetFullPath(Path.Combine(context.WorkspaceDir, relative));
        if (!File.Exists(path))
        {
            return Fail(context, $"module {relative} not found in the task workspace");
        }

        // The guest runs synchronously: give it a thread of its own, not a pool thread.
        return Task.Factory.StartNew(() => Run(context, path, relative, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    private static async Task<StepResult> Run(StepContext context, string path, string relative, CancellationToken cancellationToken)
    {
        var engine = SharedEngine.Value;
        using var stdout = new WasmLineWriter(context.Console);
        using var stderr = new WasmLineWriter(context.Console);
        Module module;
        try
        {
            module = path.EndsWith(".wat", StringComparison.OrdinalIgnoreCase) ? Module.FromTextFile(engine, path) : Module.FromFile(engine, path);
        }
        catch (WasmtimeException ex)
        {
            return await Fail(context, $"module {relative} could not be compiled: {ex.Message}");
        }

        using (module)
        using (var linker = new Linker(engine))
        using (var store = new Store(engine))
        {
            linker.DefineWasi();
            store.SetWasiConfiguration(new WasiConfiguration()
                .WithArg(relative)
                .WithEnvironmentVariables(context.Environment.Select(e => (e.Key, e.Value)))
                .WithPreopenedDirectory(context.WorkspaceDir, ".", true)
                .WithStandardOutputCallback(stdout.Write)
                .WithStandardErrorCallback(stderr.Write));

            // Epochs are engine-wide: a stop bumps the epoch, every running guest checks in, only the stopped one ends.
            store.SetEpochDeadline(1);
            store.SetEpochDeadlineCallback(_ =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return 1;
            });
            using var stop = cancellationToken.Register(engine.IncrementEpoch);
            try
            {
                var instance = linker.Instantiate(store, module);
                var start = instance.GetAction("_start");
                if (start is null)
                {
                    return await Fail(context, $"module {relative} exports no _start function (not a WASI command)");
                }

                start();
                return StepResult.Success;
            }
            catch (WasmtimeException ex) when (ex.ExitCode is { } code)
            {
                return code == 0 ? StepResult.Success : new StepResult(code, $"exit code: {code}");
            }
            catch (WasmtimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (WasmtimeException ex)
            {
                return await Fail(context, $"trap: {ex.Message.Split('\n')[0]}");
            }
            finally
            {
                stdout.Flush();
                stderr.Flush();
            }
        }
    }

    private static async Task<StepResult> Fail(StepContext context, string message)
    {
        await context.Console.WriteLineAsync($"[wasm: {message}]");
        return new StepResult(1, message);
    }
}
