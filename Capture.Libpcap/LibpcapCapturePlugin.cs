using Capture.Abstractions;
using Capture.Libpcap.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Capture.Libpcap;

/// <summary>
/// The <c>pcap</c> capture plugin: live capture through libpcap (SharpPcap) on any interface libpcap
/// opens, <c>any</c> and loopback included. The portable path: no kernel bypass, so bypassed flows
/// stay locally bypassed in the engine. Configured by Suricata's <c>pcap:</c> YAML list.
/// </summary>
public sealed class LibpcapCapturePlugin : ICapturePlugin
{
    /// <summary>The capture name operators select (<c>--pcap</c>, <c>--capture-plugin pcap</c>), as Suricata names its libpcap capture.</summary>
    public const string CaptureName = "pcap";

    /// <summary>The plugin's descriptor, shared by the plugin and its factory.</summary>
    internal static CapturePluginDescriptor SharedDescriptor { get; } = new(
        CaptureName,
        typeof(LibpcapCapturePlugin).Assembly.GetName().Version ?? new Version(0, 1),
        new Version(CaptureContract.Major, CaptureContract.Minor),
        CaptureCapabilities.Live,
        "live capture through libpcap on any interface it opens (any, loopback, ...); local bypass only");

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor => SharedDescriptor;

    /// <inheritdoc />
    public IReadOnlyList<ConfigKey> ConfigurationSections { get; } = [LibpcapInterfaceOptions.Section];

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);

        // Validate the section at activation so a bad value fails before any interface is opened.
        _ = LibpcapInterfaceOptions.Read(context.Configuration, null);
        // A host that registers no logging of its own gets the activation's.
        services.TryAddSingleton(context.LoggerFactory);
        services.AddCaptureSourceFactory<LibpcapSourceFactory>(CaptureName);
    }
}
