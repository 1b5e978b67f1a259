using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Capture.Hosting.Plugins;

/// <summary>
/// Finds a plugin's native libraries that its <c>deps.json</c> does not list (the plugin's context
/// resolves only listed ones, then the runtime looks beside the assembly): the plugin directory
/// and its <c>runtimes/&lt;rid&gt;/native</c> folders, with the usual <c>lib</c>/<c>.so</c> spellings.
/// Attached to the plugin's load context as its <see cref="AssemblyLoadContext.ResolvingUnmanagedDll"/> handler.
/// </summary>
internal sealed class NativeLibraryProbe
{
    private readonly string[] _directories;

    public NativeLibraryProbe(string pluginDirectory)
    {
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        _directories =
        [
            pluginDirectory,
            Path.Combine(pluginDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"),
            Path.Combine(pluginDirectory, "runtimes", $"linux-{arch}", "native"),
            Path.Combine(pluginDirectory, "runtimes", "linux", "native"),
            Path.Combine(pluginDirectory, "runtimes", "unix", "native"),
        ];
    }

    public nint Resolve(Assembly requester, string libraryName)
    {
        foreach (string directory in _directories)
        {
            foreach (string candidate in Candidates(libraryName))
            {
                string file = Path.Combine(directory, candidate);
                if (File.Exists(file))
                {
                    return NativeLibrary.Load(file);
                }
            }
        }

        return 0;
    }

    private static IEnumerable<string> Candidates(string name)
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
