using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Capture.Hosting.Plugins;

/// <summary>
/// The load context of one plugin directory. Shared assemblies (the SDK and the abstractions it
/// exposes) always come from the host's context, so the plugin's <c>ICapturePlugin</c> is the
/// host's; the plugin's own dependencies come from its <c>deps.json</c>, then its directory.
/// Anything else (the framework) falls back to the default context.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _directory;
    private readonly AssemblyLoadContext _host;
    private readonly IReadOnlySet<string> _shared;
    private readonly string[] _nativeDirectories;

    public PluginLoadContext(string pluginName, string mainAssemblyPath, AssemblyLoadContext host, IReadOnlySet<string> shared, bool collectible)
        : base($"capture-plugin:{pluginName}", collectible)
    {
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        _directory = Path.GetDirectoryName(mainAssemblyPath)!;
        _host = host;
        _shared = shared;
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        _nativeDirectories =
        [
            _directory,
            Path.Combine(_directory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"),
            Path.Combine(_directory, "runtimes", $"linux-{arch}", "native"),
            Path.Combine(_directory, "runtimes", "linux", "native"),
            Path.Combine(_directory, "runtimes", "unix", "native"),
        ];
    }

    /// <summary>Whether a simple assembly name is served by the host's context.</summary>
    public bool IsShared(string simpleName) => _shared.Contains(simpleName);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string? name = assemblyName.Name;
        if (name is null)
        {
            return null;
        }

        if (_shared.Contains(name))
        {
            // The host's copy whatever version was asked for: the contract version gate has
            // already checked compatibility, and type identity depends on it.
            foreach (Assembly loaded in _host.Assemblies)
            {
                if (string.Equals(loaded.GetName().Name, name, StringComparison.Ordinal))
                {
                    return loaded;
                }
            }

            return _host.LoadFromAssemblyName(new AssemblyName(name));
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        if (path is not null && File.Exists(path))
        {
            return LoadFromAssemblyPath(path);
        }

        string probe = Path.Combine(_directory, name + ".dll");
        return File.Exists(probe) ? LoadFromAssemblyPath(probe) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        if (path is not null && File.Exists(path))
        {
            return LoadUnmanagedDllFromPath(path);
        }

        foreach (string directory in _nativeDirectories)
        {
            foreach (string candidate in NativeCandidates(unmanagedDllName))
            {
                string file = Path.Combine(directory, candidate);
                if (File.Exists(file))
                {
                    return LoadUnmanagedDllFromPath(file);
                }
            }
        }

        return IntPtr.Zero;
    }

    private static IEnumerable<string> NativeCandidates(string name)
    {
        yield return name;
        bool hasSuffix = name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal);
        bool hasPrefix = name.StartsWith("lib", StringComparison.Ordinal);
        if (!hasSuffix)
        {
            if (!hasPrefix)
            {
                yield return $"lib{name}.so";
            }

            yield return $"{name}.so";
        }

        if (!hasPrefix)
        {
            yield return $"lib{name}";
        }
    }
}
