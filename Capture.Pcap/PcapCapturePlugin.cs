using Capture.Abstractions;
using Capture.Pcap.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capture.Pcap;

/// <summary>
/// The <c>pcap-file</c> capture plugin (Suricata's name for offline reading): replays pcap and pcapng files (or every capture file of a directory)
/// as one capture source, with a software bypass strategy that drops bypassed flows in the reader
/// the way the kernel filter does on a live interface.
/// </summary>
public sealed class PcapCapturePlugin : ICapturePlugin
{
    /// <summary>The capture name operators select (<c>-r</c>, <c>--capture-plugin pcap-file</c>) and the factory is keyed by.</summary>
    public const string CaptureName = "pcap-file";

    /// <summary>The plugin's descriptor, shared by the plugin and its factory.</summary>
    internal static CapturePluginDescriptor SharedDescriptor { get; } = new(
        CaptureName,
        typeof(PcapCapturePlugin).Assembly.GetName().Version ?? new Version(0, 0),
        new Version(CaptureContract.Major, CaptureContract.Minor),
        CaptureCapabilities.Offline | CaptureCapabilities.Bypass,
        "pcap and pcapng files or directories of them, with software bypass");

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor => SharedDescriptor;

    /// <inheritdoc />
    public IReadOnlyList<ConfigKey> ConfigurationSections { get; } = [PcapFileOptions.Section];

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);

        // Bound at activation so a bad value fails before any file is opened; the factory receives it.
        services.AddSingleton(Options.Create(PcapFileOptions.FromConfiguration(context.Configuration)));
        // A host that registers no logging of its own gets the activation's.
        services.TryAddSingleton(context.LoggerFactory);
        services.AddCaptureSourceFactory<PcapSourceFactory>(CaptureName);
    }
}
