using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Hosting.Plugins;

/// <summary>The capture plugins the host loaded, and the way to their source factories by capture name.</summary>
public sealed class CapturePluginCatalog
{
    internal CapturePluginCatalog(IReadOnlyList<LoadedCapturePlugin> plugins, IReadOnlyList<string> searchedRoots, IReadOnlyList<CapturePluginException> failures, IReadOnlyList<string> notLoaded)
    {
        Plugins = plugins;
        SearchedRoots = searchedRoots;
        Failures = failures;
        NotLoaded = notLoaded;
    }

    /// <summary>The loaded plugins.</summary>
    public IReadOnlyList<LoadedCapturePlugin> Plugins { get; }

    /// <summary>The plugin roots that were searched (real paths).</summary>
    public IReadOnlyList<string> SearchedRoots { get; }

    /// <summary>Optional plugins that failed to load and were skipped (see <see cref="CapturePluginLoadOptions.RequiredPlugins"/>).</summary>
    public IReadOnlyList<CapturePluginException> Failures { get; }

    /// <summary>Plugins found and checked but not loaded (<see cref="CapturePluginLoadOptions.LoadRequiredOnly"/>), by name.</summary>
    public IReadOnlyList<string> NotLoaded { get; }

    /// <summary>A loaded plugin by capture name, or null.</summary>
    /// <param name="captureName">The capture name.</param>
    /// <returns>The plugin.</returns>
    public LoadedCapturePlugin? Find(string captureName) =>
        Plugins.FirstOrDefault(p => string.Equals(p.Name, captureName, StringComparison.Ordinal));

    /// <summary>The source factory of a capture plugin.</summary>
    /// <param name="services">The host's built service provider.</param>
    /// <param name="captureName">The capture name (<c>--capture-plugin NAME</c>).</param>
    /// <returns>The factory.</returns>
    /// <exception cref="CapturePluginException">No plugin of that name was loaded; the message lists those that were and where they were searched.</exception>
    public ICaptureSourceFactory GetSourceFactory(IServiceProvider services, string captureName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(captureName);
        LoadedCapturePlugin plugin = Find(captureName) ?? throw new CapturePluginException(DescribeMissing(captureName));
        try
        {
            using (plugin.LoadContext.EnterContextualReflection())
            {
                return services.GetRequiredKeyedService<ICaptureSourceFactory>(captureName);
            }
        }
        catch (Exception ex) when (CapturePluginLoader.MissingAssembly(ex) is { } missing)
        {
            throw new CapturePluginException(plugin.Name, plugin.Directory, $"missing dependency {missing} while creating its source factory", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new CapturePluginException(plugin.Name, plugin.Directory, $"its source factory cannot be created: {ex.Message}", ex);
        }
    }

    /// <summary>Why a capture name has no plugin: the loaded ones, where they were searched, and those that failed to load.</summary>
    /// <param name="captureName">The capture name asked for.</param>
    /// <returns>One line.</returns>
    public string DescribeMissing(string captureName)
    {
        string loaded = Plugins.Count == 0 ? "none" : string.Join(", ", Plugins.Select(p => p.Name).Order(StringComparer.Ordinal));
        string searched = SearchedRoots.Count == 0 ? "no plugin directory exists" : $"searched {string.Join(", ", SearchedRoots)}";
        string failed = Failures.Count == 0 ? string.Empty : $"; failed to load: {string.Join(", ", Failures.Select(f => f.PluginName ?? f.Directory))}";
        string present = NotLoaded.Count == 0 ? string.Empty : $"; present, not loaded: {string.Join(", ", NotLoaded.Order(StringComparer.Ordinal))}";
        return $"capture plugin '{captureName}' is not available; loaded plugins: {loaded} ({searched}{failed}{present}). Add its directory with --plugin-dir or the 'plugins:' list";
    }
}
