using Capture.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Pcap.Tests;

/// <summary>Opens pcap sources the way the host does: the plugin registers its factory, the factory opens the target.</summary>
internal static class PcapHarness
{
    public static ICaptureSourceFactory CreateFactory(ConfigNode configuration, ILoggerFactory? loggers = null)
    {
        // As the host: its logging is a service the factory receives through its constructor.
        var services = new ServiceCollection().AddSingleton(loggers ?? NullLoggerFactory.Instance);
        var plugin = new PcapCapturePlugin();
        plugin.ConfigureServices(services, new CapturePluginContext(CaptureContract.Current, AppContext.BaseDirectory, configuration, NullLoggerFactory.Instance));
        return services.BuildServiceProvider().GetRequiredKeyedService<ICaptureSourceFactory>(PcapCapturePlugin.CaptureName);
    }

    public static ICaptureSource Open(string target, ConfigNode? configuration = null, ILoggerFactory? loggers = null, ChecksumMode checksums = ChecksumMode.Auto)
    {
        configuration ??= ConfigNode.CreateMapping();
        var request = new CaptureSourceRequest
        {
            Target = target,
            Configuration = configuration,
            Checksums = checksums,
            Services = new ServiceCollection().AddSingleton(loggers ?? NullLoggerFactory.Instance).BuildServiceProvider(),
        };
        return Assert.Single(CreateFactory(configuration, loggers).CreateSources(request));
    }

    /// <summary>Starts a source and reads it to the end.</summary>
    public static async Task<ReadResult> ReadAllAsync(ICaptureSource source, bool copyData = true)
    {
        var packets = new List<(PacketRecord Record, byte[] Data)>();
        Exception? failure = null;
        await source.StartAsync(CancellationToken.None);
        try
        {
            await foreach (CaptureBatch batch in source.Batches.ReadAllAsync())
            {
                foreach (ref readonly PacketRecord record in batch.Packets)
                {
                    packets.Add((record, copyData ? batch.GetPacketData(record).ToArray() : []));
                }

                batch.Release();
            }
        }
        catch (CaptureException ex)
        {
            failure = ex;
        }

        return new ReadResult(packets, source.GetStatistics(), failure);
    }

    /// <summary>A configuration with a <c>pcap-file:</c> section.</summary>
    public static ConfigNode Configuration(params (string Key, string Value)[] settings)
    {
        ConfigNode root = ConfigNode.CreateMapping(string.Empty, "test.yaml", 1);
        ConfigNode section = ConfigNode.CreateMapping("pcap-file", "test.yaml", 1);
        int line = 2;
        foreach ((string key, string value) in settings)
        {
            section.Set(key, ConfigNode.CreateScalar($"pcap-file.{key}", value, "test.yaml", line++));
        }

        root.Set("pcap-file", section);
        return root;
    }
}
