using Capture.Abstractions;
using Detect.Sample.Detection;

namespace Detect.Sample.Output;

/// <summary>One EVE <c>alert</c>: the packet's addresses in its own direction, the rule, and the flow so far.</summary>
internal readonly record struct AlertEvent
{
    public required long TimestampNanoseconds { get; init; }

    public required long FlowId { get; init; }

    public required string InterfaceName { get; init; }

    /// <summary>The packet's tuple, source = the packet's sender.</summary>
    public required FlowTuple Packet { get; init; }

    /// <summary>The flow's tuple, client first (for community_id and the flow object).</summary>
    public required FlowTuple Flow { get; init; }

    public required bool ToServer { get; init; }

    public required Rule Rule { get; init; }

    /// <summary>A drop or reject rule in simulated IPS mode: the packet was dropped (EVE <c>alert.action: blocked</c>).</summary>
    public bool Blocked { get; init; }

    public required long PacketsToServer { get; init; }

    public required long PacketsToClient { get; init; }

    public required long BytesToServer { get; init; }

    public required long BytesToClient { get; init; }

    public required long FlowStartNanoseconds { get; init; }

    public required long TunnelParentFlowId { get; init; }

    /// <summary>The pcap-log file the alerted packet was written to (<c>capture_file</c>), when pcap-log wrote it.</summary>
    public string? CaptureFile { get; init; }

    /// <summary>The packet's place in the capture files read (<c>pcap_cnt</c>); 0 on live captures, where none is written.</summary>
    public uint PcapCount { get; init; }

    /// <summary>The flow's application-layer protocol (<c>app_proto</c>), when detection found one.</summary>
    public string? AppProtocol { get; init; }

    /// <summary>Where the packet came from (<c>pkt_src</c>): the capture, a tunnel's inner packet, or a reassembled datagram.</summary>
    public PacketSource Source { get; init; }

    /// <summary>For a tunnel's inner packet or a reassembled datagram, the captured packet it came in (the <c>tunnel</c> object, <see cref="PacketSources.Root"/>); null otherwise.</summary>
    public FlowTuple? TunnelRoot { get; init; }

    /// <summary>How many tunnels deep the packet is (<c>tunnel.depth</c>).</summary>
    public int TunnelDepth { get; init; }

    /// <summary>The packet's ICMP type and code, fragment state and Ethernet header, for the EVE header.</summary>
    public EvePacketHeader Header { get; init; }

    /// <summary>The alert and packet variables the packet's rules captured (<c>alert.context</c> of this rule's, <c>metadata.pktvars</c>); null for none.</summary>
    public IReadOnlyList<CapturedVariable>? PacketVariables { get; init; }

    /// <summary>The flow's captured variables (<c>metadata.flowvars</c>); null for none.</summary>
    public IReadOnlyList<CapturedVariable>? FlowVariables { get; init; }
}
