using Capture.Abstractions;
using Capture.AfPacket;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.AfPacket.Tests;

/// <summary>Builds af-packet configurations and source requests the way the host would.</summary>
internal static class AfPacketTestConfiguration
{
    /// <summary>A configuration root with one <c>af-packet</c> entry for <paramref name="interfaceName"/>.</summary>
    public static ConfigNode Root(string interfaceName, params (string Key, string Value)[] options)
    {
        ConfigNode root = ConfigNode.CreateMapping(file: "test.yaml");
        ConfigNode list = ConfigNode.CreateSequence("af-packet", "test.yaml", 1);
        ConfigNode entry = ConfigNode.CreateMapping("af-packet.0", "test.yaml", 2);
        entry.Set("interface", ConfigNode.CreateScalar("af-packet.0.interface", interfaceName, "test.yaml", 2));
        int line = 3;
        foreach ((string key, string value) in options)
        {
            entry.Set(key, ConfigNode.CreateScalar($"af-packet.0.{key}", value, "test.yaml", line++));
        }

        list.Add(entry);
        root.Set("af-packet", list);
        return root;
    }

    /// <summary>The af-packet factory, registered the way the host activates the plugin.</summary>
    public static ICaptureSourceFactory Factory()
    {
        var plugin = new AfPacketCapturePlugin();
        var services = new ServiceCollection();
        plugin.ConfigureServices(services, new CapturePluginContext(
            CaptureContract.Current, AppContext.BaseDirectory, ConfigNode.CreateMapping(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
        return services.BuildServiceProvider().GetRequiredKeyedService<ICaptureSourceFactory>(AfPacketCapturePlugin.CaptureName);
    }

    /// <summary>Creates the sources for <paramref name="root"/>.</summary>
    public static IReadOnlyList<ICaptureSource> CreateSources(ConfigNode root, string? target = null) =>
        Factory().CreateSources(new CaptureSourceRequest
        {
            Target = target,
            Configuration = root,
            Services = new ServiceCollection().BuildServiceProvider(),
        });

    /// <summary>Starts every source.</summary>
    public static async Task StartAllAsync(IReadOnlyList<ICaptureSource> sources)
    {
        foreach (ICaptureSource source in sources)
        {
            await source.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Stops and disposes every source.</summary>
    public static async Task DisposeAllAsync(IReadOnlyList<ICaptureSource> sources)
    {
        foreach (ICaptureSource source in sources)
        {
            await source.DisposeAsync();
        }
    }
}
