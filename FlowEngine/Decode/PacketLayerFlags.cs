namespace FlowEngine.Decode;

/// <summary>Properties of a <see cref="PacketLayer"/>.</summary>
[Flags]
public enum PacketLayerFlags : ushort
{
    /// <summary>Nothing special.</summary>
    None = 0,

    /// <summary>The layer has addresses, protocol and (where the protocol has them) ports: it keys a flow.</summary>
    HasFlowKey = 1,

    /// <summary>An IP fragment that was not (yet) reassembled: ports are unknown.</summary>
    Fragment = 2,

    /// <summary>
    /// An ICMPv4 destination unreachable quoting a whole TCP or UDP header: the layer's addresses,
    /// ports and protocol are those of the flow the error refers to, in that flow's direction, so
    /// the error is attributed to it (Suricata's ICMPV4_DEST_UNREACH_IS_VALID; it keys ICMPv6
    /// errors as plain ICMPv6, and so does the decoder).
    /// </summary>
    IcmpErrorForEmbedded = 4,

    /// <summary>
    /// The packet was reassembled from fragments; with <see cref="Fragment"/>, the fragment that
    /// completed the reassembly, seen as a packet of its own (<see cref="Pipeline.IPacketInspector.InspectWithoutFlow"/>).
    /// </summary>
    Reassembled = 8,

    /// <summary>The layer carries a tunnel (GRE, VXLAN, ...) whose inner packet is the next layer.</summary>
    CarriesTunnel = 16,

    /// <summary>A checksum of this layer was verified and found wrong.</summary>
    BadChecksum = 32,
}
