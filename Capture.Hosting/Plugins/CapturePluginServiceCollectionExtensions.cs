using Microsoft.Extensions.DependencyInjection;

namespace Capture.Hosting.Plugins;

/// <summary>Registers run-time loaded capture plugins with a host.</summary>
public static class CapturePluginServiceCollectionExtensions
{
    /// <summary>
    /// Finds and loads the capture plugins of <paramref name="options"/>, checks their contract
    /// versions both ways, lets each register its services (keyed by capture name), and registers
    /// a <see cref="CapturePluginCatalog"/> singleton to list them and reach their source factories.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">Where to look and how to load.</param>
    /// <returns>The same collection.</returns>
    /// <exception cref="CapturePluginException">A plugin cannot be loaded or registered; the message names it and the cause.</exception>
    public static IServiceCollection AddCapturePlugins(this IServiceCollection services, CapturePluginLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var loader = new CapturePluginLoader(options);
        loader.Register(services, loader.Load());
        return services;
    }
}
