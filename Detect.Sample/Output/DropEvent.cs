using Capture.Abstractions;
using Detect.Sample.Detection;
using Detect.Sample.Detection.Firewall;

namespace Detect.Sample.Output;

/// <summary>One EVE <c>drop</c> record: a packet inline mode dropped, its Ethernet, IP and transport header fields (those it has), and why.</summary>
internal readonly ref struct DropEvent
{
    public required long TimestampNanoseconds { get; init; }

    /// <summary>The packet's flow; 0 for none.</summary>
    public required long FlowId { get; init; }

    /// <summary>The flow of the tunnel that carried the packet's flow (<c>parent_id</c>); 0 for none.</summary>
    public long TunnelParentFlowId { get; init; }

    public required string InterfaceName { get; init; }

    /// <summary><c>pcap_cnt</c>; 0 on live captures.</summary>
    public uint PcapCount { get; init; }

    /// <summary>The packet's tuple, source = sender; none for a packet without IP (ARP, ...), whose record has no addresses.</summary>
    public required FlowTuple? Packet { get; init; }

    /// <summary>The packet's ICMP type and code, fragment state and Ethernet header, for the EVE header.</summary>
    public EvePacketHeader Header { get; init; }

    public required bool ToServer { get; init; }

    public required DropReason Reason { get; init; }

    /// <summary>A reject (verdict action <c>reject</c>) rather than a drop.</summary>
    public bool Rejected { get; init; }

    /// <summary>The flow's first dropped packet in this direction (what <c>flows: start</c> logs).</summary>
    public required bool FirstThisWay { get; init; }

    /// <summary>The drop or reject rule that alerted on this packet, if one did (<c>alerts: yes</c> adds it).</summary>
    public Rule? Rule { get; init; }

    /// <summary>The captured packet.</summary>
    public required ReadOnlySpan<byte> Bytes { get; init; }

    /// <summary>Offsets of the innermost IP header and of its transport header in <see cref="Bytes"/>; -1 when unknown.</summary>
    public required int NetworkOffset { get; init; }

    public required int TransportOffset { get; init; }

    /// <summary>Where the packet came from (<c>pkt_src</c>): the capture, a tunnel's inner packet, or a reassembled datagram.</summary>
    public PacketSource Source { get; init; }
}
