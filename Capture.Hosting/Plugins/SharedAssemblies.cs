using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;
using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capture.Hosting.Plugins;

/// <summary>
/// The assemblies every plugin shares with the host: those of <see cref="Types"/> (the SDK and
/// the Microsoft.Extensions abstractions plugins register services with) and everything they
/// reference, transitively (computed once and eagerly). A plugin never gets its own copy of these.
/// The shared framework's assemblies are shared by name without being loaded: they reference only
/// each other, and walking into them loaded some seventy the process never used (about 8 MB of
/// resident memory).
/// </summary>
internal static class SharedAssemblies
{
    private static readonly Lazy<(AssemblyLoadContext Host, IReadOnlySet<string> Names)> Computed = new(Compute);

    /// <summary>The types whose assemblies are shared: the SDK, dependency injection, logging, options and hosting abstractions.</summary>
    public static Type[] Types { get; } = [typeof(ICapturePlugin), typeof(IServiceCollection), typeof(ILoggerFactory), typeof(IOptions<>), typeof(IHostedService)];

    /// <summary>The simple name of the SDK assembly.</summary>
    public static string SdkName { get; } = typeof(ICapturePlugin).Assembly.GetName().Name!;

    /// <summary>The context the SDK was loaded in: the host's.</summary>
    public static AssemblyLoadContext HostContext => Computed.Value.Host;

    /// <summary>The shared simple names, the framework's included.</summary>
    public static IReadOnlySet<string> Names => Computed.Value.Names;

    /// <summary>The version of the host's copy of a shared assembly, or null when the host has none.</summary>
    public static Version? HostVersion(string simpleName) =>
        TryLoad(HostContext, new AssemblyName(simpleName))?.GetName().Version;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Runs only in a host that loads plugin assemblies (CapturePluginLoadOptions.LoadsAssemblies); a host compiled ahead of time never creates a plugin load context.")]
    private static (AssemblyLoadContext, IReadOnlySet<string>) Compute()
    {
        Assembly sdk = typeof(ICapturePlugin).Assembly;
        AssemblyLoadContext host = AssemblyLoadContext.GetLoadContext(sdk) ?? AssemblyLoadContext.Default;
        var names = new HashSet<string>(FrameworkNames(), StringComparer.Ordinal);
        var queue = new Queue<Assembly>();
        foreach (Assembly assembly in Types.Select(t => t.Assembly).Prepend(sdk))
        {
            if (names.Add(assembly.GetName().Name!))
            {
                queue.Enqueue(assembly);
            }
        }

        while (queue.Count > 0)
        {
            foreach (AssemblyName reference in queue.Dequeue().GetReferencedAssemblies())
            {
                if (reference.Name is { } name && !names.Contains(name) && TryLoad(host, reference) is { } assembly)
                {
                    names.Add(name);
                    queue.Enqueue(assembly);
                }
            }
        }

        return (host, names);
    }

    /// <summary>The simple names of the trusted platform assemblies that live in the runtime's own directory.</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "A single-file host's empty Location is handled: it has no runtime directory to list.")]
    private static IEnumerable<string> FrameworkNames()
    {
        string? runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (string.IsNullOrEmpty(runtimeDirectory) || AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string platform)
        {
            // A single-file host has no such list: the walk then loads what it needs to share.
            yield break;
        }

        foreach (string file in platform.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (string.Equals(Path.GetDirectoryName(file), runtimeDirectory, StringComparison.Ordinal))
            {
                yield return Path.GetFileNameWithoutExtension(file);
            }
        }
    }

    private static Assembly? TryLoad(AssemblyLoadContext host, AssemblyName name)
    {
        try
        {
            return host.LoadFromAssemblyName(name);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            // The host does not have it: nothing to share, the plugin may bring its own.
            return null;
        }
    }
}
