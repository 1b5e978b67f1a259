using Capture.Abstractions;

namespace Detect.Sample.Output;

/// <summary>One EVE <c>anomaly</c> record: a decoder, stream or application-layer event one packet raised.</summary>
internal readonly ref struct AnomalyEvent
{
    public required long TimestampNanoseconds { get; init; }

    /// <summary>The packet's flow, or 0 for a packet without one (Suricata then writes no flow_id).</summary>
    public required long FlowId { get; init; }

    /// <summary>The flow of the tunnel that carried the packet's flow (<c>parent_id</c>); 0 for a flow on the wire or a packet without a flow.</summary>
    public long TunnelParentFlowId { get; init; }

    /// <summary>The capture interface the packet came from (<c>in_iface</c>, written on live runs).</summary>
    public required string InterfaceName { get; init; }

    /// <summary>The packet's addresses and ports in its own direction, when it got as far as an IP layer.</summary>
    public required FlowTuple? Packet { get; init; }

    /// <summary>The packet goes client to server: <see cref="Packet"/> is its flow's tuple (else that reversed), for <c>community_id</c>.</summary>
    public bool ToServer { get; init; }

    /// <summary>The packet's place in the capture files read (<c>pcap_cnt</c>); 0 on live captures, where none is written.</summary>
    public uint PcapCount { get; init; }

    /// <summary>Suricata's event name, e.g. <c>decoder.ipv4.trunc_pkt</c>, <c>stream.pkt_invalid_timestamp</c>, <c>APPLAYER_MISMATCH_PROTOCOL_BOTH_DIRECTIONS</c>.</summary>
    public required string Event { get; init; }

    /// <summary>The kind of event (<c>anomaly.type</c>); decode unless set.</summary>
    public AnomalyType Type { get; init; }

    /// <summary>For an application-layer event: the flow's protocol (<c>anomaly.app_proto</c>), null for <c>unknown</c>.</summary>
    public string? AppProtocol { get; init; }

    /// <summary>For an application-layer event: where it was raised (<c>anomaly.layer</c>, e.g. <c>proto_detect</c>).</summary>
    public string? Layer { get; init; }

    /// <summary>The link type of the packet the record is about (<c>packet_info</c>, <see cref="Datalinks"/>): <see cref="RecordPacket.LinkType"/>.</summary>
    public required LinkType LinkType { get; init; }

    /// <summary>The packet's ICMP type and code, fragment state and Ethernet header, for the EVE header.</summary>
    public EvePacketHeader Header { get; init; }

    /// <summary>The bytes of the packet the record is about, <see cref="RecordPacket"/>'s (the start of them goes in <c>packet</c> with <c>packethdr</c>).</summary>
    public required ReadOnlySpan<byte> Bytes { get; init; }

    /// <summary>Where the packet came from (<c>pkt_src</c>): the capture, a tunnel's inner packet, or a reassembled datagram.</summary>
    public PacketSource Source { get; init; }
}
