using System.Reflection;
using Microsoft.Extensions.Logging;
using RemoteExecutor.Plugins;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// Loads the plugins of a node at start. Each folder under the plugins directory is one plugin: an executable file
/// named <c>plugin</c> makes it an executable plugin named after the folder; otherwise every <c>*.dll</c> in it is
/// loaded into the folder's own collectible load context and each public <see cref="IStepKind"/> class becomes a
/// kind. A folder that fails to load is logged and skipped (its context unloaded); the node starts without it.
/// </summary>
public static partial class PluginLoader
{
    /// <summary>The file that makes a folder an executable plugin.</summary>
    public const string ExecutableName = "plugin";

    /// <summary>Adds every loadable plugin under <paramref name="directory"/> to <paramref name="registry"/>.</summary>
    public static void LoadInto(StepKindRegistry registry, string directory, ILogger logger)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var folder in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            var executable = Path.Combine(folder, ExecutableName);
            if (File.Exists(executable))
            {
                AddExecutable(registry, folder, executable, logger);
            }
            else
            {
                AddAssemblies(registry, folder, logger);
            }
        }
    }

    private static void AddExecutable(StepKindRegistry registry, string folder, string executable, ILogger logger)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(executable) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            LogSkipped(logger, folder, $"{executable} is not executable (chmod +x it)");
            return;
        }

        var name = Path.GetFileName(folder);
        Add(registry, new StepKindEntry(name, "", executable, new ExecutableStepKind(name), executable), logger);
    }

    private static void AddAssemblies(StepKindRegistry registry, string folder, ILogger logger)
    {
        var dlls = Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal).ToList();
        if (dlls.Count == 0)
        {
            LogSkipped(logger, folder, $"neither an executable named \"{ExecutableName}\" nor any .dll in it");
            return;
        }

        var context = new PluginLoadContext(folder);
        var kinds = new List<StepKindEntry>();
        try
        {
            foreach (var dll in dlls)
            {
                if (Path.GetFileNameWithoutExtension(dll) == PluginLoadContext.ContractAssembly)
                {
                    continue; // a copy of the contract: the host's is used
                }

                var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(dll));
                var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                    ?? assembly.GetName().Version?.ToString() ?? "";
                foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IStepKind).IsAssignableFrom(t)))
                {
                    var kind = (IStepKind)Activator.CreateInstance(type)!;
                    kinds.Add(new StepKindEntry(kind.Name, version, dll, kind));
                }
            }
        }
        catch (Exception ex)
        {
            // Whatever a plugin throws while loading (a bad image, a missing dependency, its constructor), the node starts without it.
            LogBroken(logger, folder, ex.GetType().Name, ex.Message);
            context.Unload();
            return;
        }

        if (kinds.Count == 0)
        {
            LogSkipped(logger, folder, "no public class implementing IStepKind in its assemblies");
            context.Unload();
            return;
        }

        foreach (var kind in kinds)
        {
            Add(registry, kind, logger);
        }
    }

    private static void Add(StepKindRegistry registry, StepKindEntry entry, ILogger logger)
    {
        if (registry.TryAdd(entry) is { } refusal)
        {
            LogRefused(logger, entry.Source, refusal);
            return;
        }

        LogLoaded(logger, entry.Name, entry.Origin, entry.Version, entry.Source);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Step kind {Kind} loaded ({Origin} plugin {Version} from {Source})")]
    private static partial void LogLoaded(ILogger logger, string kind, string origin, string version, string source);

    [LoggerMessage(Level = LogLevel.Error, Message = "Plugin {Folder} skipped: it could not be loaded ({Error}: {Reason})")]
    private static partial void LogBroken(ILogger logger, string folder, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {Folder} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Step kind from {Source} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string source, string reason);
}
