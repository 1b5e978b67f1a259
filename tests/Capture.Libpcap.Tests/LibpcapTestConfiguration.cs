using Capture.Abstractions;
using Capture.Libpcap;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Libpcap.Tests;

/// <summary>Builds <c>pcap:</c> configurations and opens sources the way the host does.</summary>
internal static class LibpcapTestConfiguration
{
    /// <summary>A root whose <c>pcap:</c> list holds the given entries (<c>interface</c> first, then the options).</summary>
    public static ConfigNode Root(params (string Interface, (string Key, string Value)[] Options)[] entries)
    {
        ConfigNode root = ConfigNode.CreateMapping(file: "test.yaml");
        ConfigNode list = ConfigNode.CreateSequence("pcap", "test.yaml", 1);
        int line = 2;
        for (int i = 0; i < entries.Length; i++)
        {
            ConfigNode entry = ConfigNode.CreateMapping($"pcap.{i}", "test.yaml", line);
            entry.Set("interface", ConfigNode.CreateScalar($"pcap.{i}.interface", entries[i].Interface, "test.yaml", line++));
            foreach ((string key, string value) in entries[i].Options)
            {
                entry.Set(key, ConfigNode.CreateScalar($"pcap.{i}.{key}", value, "test.yaml", line++));
            }

            list.Add(entry);
        }

        root.Set("pcap", list);
        return root;
    }

    /// <summary>The plugin's factory, registered the way the host activates the plugin.</summary>
    public static ICaptureSourceFactory Factory(ConfigNode root)
    {
        var services = new ServiceCollection();
        new LibpcapCapturePlugin().ConfigureServices(services, new CapturePluginContext(CaptureContract.Current, AppContext.BaseDirectory, root, NullLoggerFactory.Instance));
        return services.BuildServiceProvider().GetRequiredKeyedService<ICaptureSourceFactory>(LibpcapCapturePlugin.CaptureName);
    }

    /// <summary>Creates the sources of <paramref name="root"/> for <paramref name="target"/> (null: every listed interface).</summary>
    public static IReadOnlyList<ICaptureSource> CreateSources(ConfigNode root, string? target) =>
        Factory(root).CreateSources(new CaptureSourceRequest
        {
            Target = target,
            Configuration = root,
            Services = new ServiceCollection().BuildServiceProvider(),
        });
}
