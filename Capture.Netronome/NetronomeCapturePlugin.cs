using Capture.Abstractions;
using Capture.Netronome.Sources;
using Microsoft.Extensions.DependencyInjection;

namespace Capture.Netronome;

/// <summary>
/// The <c>netronome</c> capture plugin: af-packet's TPACKET_V3 rings and fanout, with the XDP
/// bypass filter offloaded to a SmartNIC (<c>xdp-mode: hw</c>) or, without the card, run in the
/// kernel (<c>xdp-mode: driver | soft</c>). Maps are shared (the NIC has no per-CPU maps), a flow
/// is alive while its packet counters move (the NIC has no clock), and one bypass-manager thread
/// serves every interface and capture thread. Configured by its own <c>netronome:</c> section,
/// with af-packet's keys and <c>interface: default</c> fallback.
/// </summary>
public sealed class NetronomeCapturePlugin : ICapturePlugin
{
    /// <summary>The capture name operators select (<c>--capture-plugin netronome</c>) and the YAML section.</summary>
    public const string CaptureName = "netronome";

    /// <inheritdoc />
    public CapturePluginDescriptor Descriptor { get; } = new(
        CaptureName,
        typeof(NetronomeCapturePlugin).Assembly.GetName().Version ?? new Version(0, 1),
        new Version(CaptureContract.Major, CaptureContract.Minor),
        CaptureCapabilities.Live | CaptureCapabilities.Bypass | CaptureCapabilities.HardwareOffload,
        "AF_PACKET rings with the XDP flow bypass offloaded to a SmartNIC (shared maps, counter liveness, one bypass manager)");

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);
        CapturePluginDescriptor descriptor = Descriptor;
        services.AddKeyedSingleton<ICaptureSourceFactory>(CaptureName, (_, _) => new NetronomeSourceFactory(descriptor));
    }
}
