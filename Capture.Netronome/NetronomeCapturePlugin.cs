using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Netronome.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
    public IReadOnlyList<ConfigKey> ConfigurationSections { get; } =
    [
        // af-packet's keys; offload changes what the absent ones mean.
        LiveInterfaceConfiguration.Declare(
            CaptureName,
            "Live capture with the bypass filter offloaded to a SmartNIC, one entry per interface",
            [
                .. LiveInterfaceConfiguration.Keys.Select(key => key.Name switch
                {
                    "xdp-mode" => key.WithDefault("hw", "where the XDP filter runs: hw offloads it; driver and soft emulate it in the kernel"),
                    "use-percpu-hash" => key.WithDefault("no", "only no: the NIC has no per-CPU maps"),
                    "no-percpu-hash" => key.WithDefault("yes", "only yes: the NIC has no per-CPU maps"),
                    "cluster-type" => key.WithDefault("cluster_flow", "fanout mode; offload needs cluster_qm (steering by receive queue), so the default is refused"),
                    "threads" => key.WithDefault("auto (receive queues)", "capture threads, a power of two (the NIC spreads flows over queues by a hash modulo a power of two)"),
                    "xdp-cpu-redirect" => key.WithDefault(null, "refused: a NIC has no cpumap"),
                    "xdp-bypass-rules" => key.WithDefault("no", "ignored: the offloaded filter has no kernel bypass rules (docs/XDP.md); every bypass rule is user space's"),
                    "xdp-chain" => new ConfigKey(key.Name, ConfigValueType.Mapping, "refused: an offloaded filter cannot tail call or be tail called") { OpenKeys = true },
                    _ => key,
                }),
            ]),
    ];

    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, CapturePluginContext context)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(context);
        CapturePluginDescriptor descriptor = Descriptor;
        // A host that registers no logging of its own gets the activation's.
        services.TryAddSingleton(context.LoggerFactory);
        services.AddKeyedSingleton<ICaptureSourceFactory>(
            CaptureName,
            (provider, _) => ActivatorUtilities.CreateInstance<NetronomeSourceFactory>(provider, descriptor));
    }
}
