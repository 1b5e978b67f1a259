using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CapturePlugin1.Tests;

/// <summary>Opens the plugin's sources through its public entry point, the way the host does.</summary>
internal static class PluginHarness
{
    /// <summary>The plugin, registered in a service provider of its own.</summary>
    /// <param name="configuration">The YAML tree the plugin reads.</param>
    /// <returns>The provider (dispose it) and the factory registered under the plugin's name.</returns>
    public static (ServiceProvider Services, ICaptureSourceFactory Factory) Load(ConfigNode configuration)
    {
        ICapturePlugin plugin = new FileCapturePlugin();
        Assert.True(plugin.AcceptsHost(CaptureContract.Current, out string? reason), reason);
        var services = new ServiceCollection();
        var context = new CapturePluginContext(CaptureContract.Current, AppContext.BaseDirectory, configuration, NullLoggerFactory.Instance);
        plugin.ConfigureServices(services, context);
        ServiceProvider provider = services.BuildServiceProvider();
        return (provider, provider.GetRequiredKeyedService<ICaptureSourceFactory>(plugin.Descriptor.Name));
    }
}
