using Capture.Abstractions;

namespace Capture.Linux.Configuration;

/// <summary>
/// The options of one live interface, as Suricata's <c>af-packet:</c> (and our <c>netronome:</c>)
/// section spells them. <see cref="LiveInterfaceConfiguration.Read"/> fills it with Suricata's
/// inheritance: the interface's entry, else the <c>interface: default</c> entry, else the code
/// default given here.
/// </summary>
public sealed class LiveInterfaceOptions
{
    /// <summary>Default <see cref="BypassMapSize"/>: flows the XDP flow maps can hold.</summary>
    public const int DefaultBypassMapSize = 32768;

    /// <summary>Default <see cref="BlockTimeout"/>, milliseconds.</summary>
    public const int DefaultBlockTimeout = 10;

    /// <summary>The interface name (<c>interface</c>).</summary>
    public string Interface { get; set; } = string.Empty;

    /// <summary>Where the interface's entry is (<c>file:line</c>), or where the default entry is when it has none; for messages.</summary>
    public string Location { get; set; } = "<code defaults>";

    /// <summary>Fanout sockets (<c>threads</c>); 0 means <c>auto</c>: online CPUs for <c>cluster_flow</c>, receive queues for <c>cluster_qm</c>, else 1.</summary>
    public int Threads { get; set; }

    /// <summary>Fanout group id (<c>cluster-id</c>, 0..65535). When no entry sets it, interfaces are numbered 1, 2, ... in order.</summary>
    public int ClusterId { get; set; }

    /// <summary>Fanout mode (<c>cluster-type</c>). Default <see cref="LiveInterfaceClusterType.Flow"/>.</summary>
    public LiveInterfaceClusterType ClusterType { get; set; } = LiveInterfaceClusterType.Flow;

    /// <summary>Kernel defragmentation before fanout (<c>defrag</c>). Default yes for <c>cluster_flow</c> without a copy mode, else no.</summary>
    public bool Defrag { get; set; } = true;

    /// <summary>Lock the ring in memory (<c>mmap-locked</c>). Default no.</summary>
    public bool MmapLocked { get; set; }

    /// <summary>
    /// Use TPACKET_V3 block rings (<c>tpacket-v3</c>); false: a TPACKET_V2 frame ring. Default yes
    /// without a copy mode or bypass, else no.
    /// </summary>
    public bool TpacketV3 { get; set; } = true;

    /// <summary>Ring frames per socket (<c>ring-size</c>); 0 means auto: max-pending-packets (1024) × 2 / threads, 8 times that for a TPACKET_V2 frame ring.</summary>
    public int RingSize { get; set; }

    /// <summary>TPACKET_V3 block size, bytes (<c>block-size</c>), a multiple of the page size. Default page size × 32 (128 KiB on 4 KiB pages).</summary>
    public int BlockSize { get; set; } = Environment.SystemPageSize << 5;

    /// <summary>TPACKET_V3 block retire timeout, milliseconds (<c>block-timeout</c>). Default 10.</summary>
    public int BlockTimeout { get; set; } = DefaultBlockTimeout;

    /// <summary>TPACKET_V2 block size, bytes (<c>v2-block-size</c>); 0 means auto.</summary>
    public int V2BlockSize { get; set; }

    /// <summary>Hand frames back unprocessed while the kernel reports loss (<c>use-emergency-flush</c>). Default no.</summary>
    public bool UseEmergencyFlush { get; set; }

    /// <summary>Socket receive buffer, bytes (<c>buffer-size</c>); 0 keeps the kernel default.</summary>
    public int BufferSize { get; set; }

    /// <summary>Leave the interface out of promiscuous mode (<c>disable-promisc</c>). Default no.</summary>
    public bool DisablePromisc { get; set; }

    /// <summary>Checksum validation (<c>checksum-checks</c>: kernel, yes, no, auto). Default <see cref="ChecksumMode.Kernel"/>.</summary>
    public ChecksumMode ChecksumChecks { get; set; } = ChecksumMode.Kernel;

    /// <summary>Hardware timestamps (<c>enable-hwtimestamp</c>). Default no.</summary>
    public bool EnableHardwareTimestamp { get; set; }

    /// <summary>A pcap filter expression (<c>bpf-filter</c>), or null.</summary>
    public string? BpfFilter { get; set; }

    /// <summary>Copy to a peer interface (<c>copy-mode</c>: ips, tap). Default none.</summary>
    public LiveInterfaceCopyMode CopyMode { get; set; }

    /// <summary>The peer interface for <see cref="CopyMode"/> (<c>copy-iface</c>), or null.</summary>
    public string? CopyInterface { get; set; }

    /// <summary>An eBPF load-balancing object for <c>cluster_ebpf</c> (<c>ebpf-lb-file</c>), or null.</summary>
    public string? EbpfLoadBalancerFile { get; set; }

    /// <summary>An eBPF socket-filter object (<c>ebpf-filter-file</c>), or null.</summary>
    public string? EbpfFilterFile { get; set; }

    /// <summary>Bypass flows in the kernel through the eBPF/XDP filter's maps (<c>bypass</c>). Default no.</summary>
    public bool Bypass { get; set; }

    /// <summary>The XDP filter object (<c>xdp-filter-file</c>), or null (the plugin's built-in filter, if any).</summary>
    public string? XdpFilterFile { get; set; }

    /// <summary>Where XDP runs (<c>xdp-mode</c>: soft, driver, hw). Default <see cref="LiveInterfaceXdpMode.Soft"/>.</summary>
    public LiveInterfaceXdpMode XdpMode { get; set; }

    /// <summary>
    /// Per-CPU flow maps (<c>use-percpu-hash</c>; <c>no-percpu-hash</c> is its inverse and also accepted). Default yes.
    /// Hardware offload needs shared maps.
    /// </summary>
    public bool UsePercpuHash { get; set; } = true;

    /// <summary>Pin the maps under <c>/sys/fs/bpf</c> so they outlive the process (<c>pinned-maps</c>). Default no.</summary>
    public bool PinnedMaps { get; set; }

    /// <summary>A map whose pinned presence is checked (<c>pinned-maps-name</c>), or null.</summary>
    public string? PinnedMapsName { get; set; }

    /// <summary>CPUs the XDP filter may redirect to (<c>xdp-cpu-redirect</c>: <c>["1-17"]</c>, <c>["all"]</c>); empty for none.</summary>
    public IReadOnlyList<int> XdpCpuRedirect { get; set; } = [];

    /// <summary>Flows each bypass flow map can hold (<c>bypass-map-size</c>, our addition). Default 32768.</summary>
    public int BypassMapSize { get; set; } = DefaultBypassMapSize;

    /// <summary>Replace an XDP program already attached to the interface (<c>xdp-replace</c>, our addition). Default no: refuse with a clear error.</summary>
    public bool XdpReplace { get; set; }

    /// <summary>
    /// Compile the host's header-only bypass rules into the XDP filter, which then bypasses their
    /// flows at the first matching packet (<c>xdp-bypass-rules</c>, our addition). Default yes;
    /// only with <see cref="Bypass"/>.
    /// </summary>
    public bool XdpBypassRules { get; set; } = true;

    /// <summary>The host's header-only bypass rules (the request's); loaded into the XDP filter when <see cref="XdpBypassRules"/>.</summary>
    public IReadOnlyList<HeaderBypassRule> HeaderBypassRules { get; set; } = [];

    /// <summary>The XDP filter's pinned program array, through which packets it does not drop go on (<c>xdp-chain.pin</c>), or null.</summary>
    public string? XdpChainPin { get; set; }

    /// <summary>Pinned programs put in the first slots of <see cref="XdpChainPin"/> at start (<c>xdp-chain.next</c>).</summary>
    public IReadOnlyList<string> XdpChainNext { get; set; } = [];

    /// <summary>Another root's pinned program array in which the filter takes a slot instead of attaching (<c>xdp-chain.join</c>), or null.</summary>
    public string? XdpChainJoin { get; set; }

    /// <summary>The slot of <see cref="XdpChainJoin"/> the filter takes (<c>xdp-chain.join-index</c>). Default 0.</summary>
    public int XdpChainJoinIndex { get; set; }

    /// <summary>UDP ports the host decodes as VXLAN (the request's, from <c>decoder.vxlan.ports</c>); the bypass filter follows the same.</summary>
    public IReadOnlyList<int> VxlanPorts { get; set; } = [4789];

    /// <summary>The UDP port the host decodes as Geneve (the request's, from <c>decoder.geneve.ports</c>; 0 off); the bypass filter follows the same.</summary>
    public int GenevePort { get; set; } = 6081;
}
