using Capture.Abstractions;
using Capture.Linux.Bypass;
using Capture.Linux.Configuration;
using Capture.Linux.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Capture.AfPacket;

/// <summary>
/// The <c>af-packet</c> capture plugin: live capture from Linux TPACKET_V3 rings, several sockets
/// per interface in a fanout group, flows bypassed in the kernel by an XDP filter (<c>bypass: yes</c>).
/// Configured by Suricata's <c>af-packet:</c> YAML section.
/// </summary>
public sealed class AfPacketCapturePlugin : ICapturePlugin
{
    /// <summary>The capture name operators select (<c>--af-packet</c>, <c>--capture-plugin af-packet</c>).</summary>
    public const string CaptureName = "af-packet";

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new(
        CaptureName,
        typeof(AfPacketCapturePlugin).Assembly.GetName().Version ?? new Version(0, 1),
        new Version(CaptureContract.Major, CaptureContract.Minor),
        CaptureCapabilities.Live | CaptureCapabilities.Bypass,
        "Linux AF_PACKET TPACKET_V3 rings with fanout, kernel flow bypass with XDP");

    /// <inheritdoc />
    public IReadOnlyList<ConfigKey> ConfigurationSections { get; } =
        [LiveInterfaceConfiguration.Declare(CaptureName, "Live capture from AF_PACKET rings, one entry per interface")];

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);
        CapturePluginDescriptor descriptor = Descriptor;
        InterfaceBypassFactory bypass = XdpInterfaceBypass.Create;
        // A host that registers no logging of its own gets the activation's.
        services.TryAddSingleton(context.LoggerFactory);
        services.AddKeyedSingleton<ICaptureSourceFactory>(
            CaptureName,
            (provider, _) => ActivatorUtilities.CreateInstance<AfPacketSourceFactory>(provider, descriptor, CaptureName, bypass));
    }
}
