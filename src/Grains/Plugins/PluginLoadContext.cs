using System.Reflection;
using System.Runtime.Loader;

namespace RemoteExecutor.Grains.Plugins;

/// <summary>
/// The collectible load context of one .NET plugin folder. The contract assembly (and the framework) come from the
/// host, so the plugin's <c>IStepKind</c> is the host's; everything else the plugin ships is loaded from its folder.
/// </summary>
internal sealed class PluginLoadContext(string folder) : AssemblyLoadContext($"plugin:{Path.GetFileName(folder)}", isCollectible: true)
{
    /// <summary>The assembly every plugin shares with the host.</summary>
    public static readonly string ContractAssembly = typeof(RemoteExecutor.Plugins.IStepKind).Assembly.GetName().Name!;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name == ContractAssembly)
        {
            return null;
        }

        var path = Path.Combine(folder, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(folder, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
