using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;

namespace Capture.Hosting.Plugins;

/// <summary>
/// One plugin's load context. A shared assembly (<see cref="SharedAssemblies"/>) is always the
/// host's copy, whatever the load context of the caller, as type identity depends on it; an
/// assembly the plugin ships (a file in its directory) is always its own copy; anything else is
/// the host's when the host has it, else the plugin's. The plugin's files are found through its
/// <c>deps.json</c> by the runtime's own resolver (<see cref="AssemblyDependencyResolver"/>), then
/// by name in its directory.
/// </summary>
/// <remarks>
/// Built on the runtime's resolver rather than a plugin library's: that one read the host's and
/// the plugin's <c>runtimeconfig.json</c> (and the <c>.dev.json</c> beside them) through reflection-based
/// JSON and listed the process's modules for every plugin, about 20 ms of CPU at each start, which
/// an offline run of a small capture cannot hide.
/// </remarks>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly AssemblyLoadContext _host;
    private readonly string _directory;
    private readonly HashSet<string> _own;

    /// <summary>Creates the context, named after the entry assembly; nothing is loaded yet.</summary>
    /// <param name="mainAssemblyPath">The plugin's entry assembly; its <c>deps.json</c> lies beside it.</param>
    /// <param name="host">The host's context (where the SDK was loaded).</param>
    /// <param name="collectible">Whether the context can be unloaded.</param>
    /// <exception cref="InvalidOperationException">The plugin's <c>deps.json</c> cannot be resolved.</exception>
    public PluginLoadContext(string mainAssemblyPath, AssemblyLoadContext host, bool collectible)
        : base(Path.GetFileNameWithoutExtension(mainAssemblyPath), collectible)
    {
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        _host = host;
        _directory = Path.GetDirectoryName(mainAssemblyPath)!;
        _own = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(_directory, "*.dll", SearchOption.AllDirectories))
        {
            string simple = Path.GetFileNameWithoutExtension(file);
            if (!SharedAssemblies.Names.Contains(simple))
            {
                _own.Add(simple);
            }
        }
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } simple)
        {
            return null;
        }

        if (_own.Contains(simple))
        {
            return LoadOwn(assemblyName, simple);
        }

        return LoadFromHost(assemblyName) ?? LoadOwn(assemblyName, simple);
    }

    /// <inheritdoc />
    protected override nint LoadUnmanagedDll(string unmanagedDllName)
    {
        // Libraries the deps.json does not list are looked for by NativeLibraryProbe (ResolvingUnmanagedDll).
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? 0 : LoadUnmanagedDllFromPath(path);
    }

    private Assembly? LoadFromHost(AssemblyName assemblyName)
    {
        try
        {
            return _host.LoadFromAssemblyName(assemblyName);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            // The host has none (or an older one): the plugin's own copy, if it brings one.
            return null;
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Runs only in a host that loads plugin assemblies (CapturePluginLoadOptions.LoadsAssemblies); a host compiled ahead of time never creates a plugin load context.")]
    private Assembly? LoadOwn(AssemblyName assemblyName, string simple)
    {
        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        if (path is null)
        {
            string beside = Path.Combine(_directory, simple + ".dll");
            path = File.Exists(beside) ? beside : null;
        }

        return path is null ? null : LoadFromAssemblyPath(path);
    }
}
