using System.Numerics;
using Capture.Abstractions;
using Capture.Linux.Configuration;
using Capture.Linux.Ring;
using Capture.Linux.Xdp;

namespace Capture.Netronome.Configuration;

/// <summary>
/// The constraints of hardware offload, checked on top of the af-packet options: shared maps only,
/// steering by receive queue (<c>cluster_qm</c>), a power-of-two thread count (the NIC spreads
/// flows over RSS queues by a hash modulo a power of two), no CPU redirect. Each refusal names the
/// file, line and key, what was found and what is required.
/// </summary>
internal static class OffloadConfiguration
{
    /// <summary>Checks one interface and decides its filter mode and thread count.</summary>
    /// <exception cref="ConfigurationException">A value offload cannot work with.</exception>
    public static OffloadInterfaceOptions Validate(ConfigNode root, string section, LiveInterfaceOptions options)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(options);
        InterfaceNodes nodes = InterfaceNodes.Find(root, section, options.Interface);

        if (nodes.PercpuLookup("use-percpu-hash") is { } use && use.AsBoolean())
        {
            throw use.Error($"per-CPU maps requested (use-percpu-hash: {use.Value}); a {section} NIC has no per-CPU maps, the flow maps are shared: set use-percpu-hash: no or leave it out");
        }

        if (nodes.PercpuLookup("no-percpu-hash") is { } no && !no.AsBoolean())
        {
            throw no.Error($"per-CPU maps requested (no-percpu-hash: {no.Value}); a {section} NIC has no per-CPU maps, the flow maps are shared: set no-percpu-hash: yes or leave it out");
        }

        if (options.ClusterType != LiveInterfaceClusterType.QueueMapping)
        {
            const string required = "offload steers packets to capture threads by NIC receive queue: set cluster-type: cluster_qm";
            throw nodes.Lookup("cluster-type") is { } type
                ? type.Error($"found {type.Value?.Trim()}; {required}")
                : nodes.Missing("cluster-type", $"not set (the af-packet default is cluster_flow); {required}");
        }

        int threads = PacketRingLayout.ResolveThreads(options);
        if (!BitOperations.IsPow2(threads))
        {
            string required = $"offload spreads flows over receive queues by a hash modulo a power of two: set threads to 1, 2, 4, 8, ... (nearest: {NearestPowerOfTwo(threads)})";
            ConfigNode? node = nodes.Lookup("threads");
            bool auto = node is not null && string.Equals(node.Value?.Trim(), "auto", StringComparison.OrdinalIgnoreCase);
            throw node is null || auto
                ? (node is null ? nodes.Missing("threads", $"not set: auto gives {threads} (receive queues of {options.Interface}), which is not a power of two; {required}")
                                : node.Error($"auto gives {threads} (receive queues of {options.Interface}), which is not a power of two; {required}"))
                : node.Error($"{threads} is not a power of two; {required}");
        }

        if (options.XdpCpuRedirect.Count > 0 && nodes.Lookup("xdp-cpu-redirect") is { } redirect)
        {
            throw redirect.Error("the offloaded filter has no CPU redirect (a NIC has no cpumap); remove xdp-cpu-redirect, receive queues spread the load");
        }

        if (nodes.Lookup("xdp-chain") is { } chain)
        {
            throw chain.Error("the offloaded filter cannot tail call or be tail called (a NIC runs one program); remove xdp-chain, or chain with the af-packet plugin");
        }

        // Unset: offload, the point of this plugin. driver and soft run the same program and shared maps in the kernel.
        XdpMode mode = nodes.Lookup("xdp-mode") is null
            ? XdpMode.Hardware
            : options.XdpMode switch
            {
                LiveInterfaceXdpMode.Driver => XdpMode.Driver,
                LiveInterfaceXdpMode.Soft => XdpMode.Soft,
                _ => XdpMode.Hardware,
            };

        return new OffloadInterfaceOptions(options, mode, threads);
    }

    private static int NearestPowerOfTwo(int value)
    {
        int below = (int)BitOperations.RoundUpToPowerOf2((uint)value) >> 1;
        int above = below << 1;
        return value - below <= above - value ? Math.Max(1, below) : above;
    }
}
