using System.Runtime.InteropServices;
using Capture.Abstractions;

namespace FlowEngine.Decode;

/// <summary>
/// One IP layer of a decoded packet: the flow-relevant facts of the outer packet, or of a packet
/// inside a tunnel. Filled by <c>PacketDecoder</c>, read by the flow table. Plain data, no references.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct PacketLayer
{
    /// <summary>Source address as on the wire.</summary>
    public FlowAddress Source;

    /// <summary>Destination address as on the wire.</summary>
    public FlowAddress Destination;

    /// <summary>Source port (host order); ICMP: the type (ICMPv6: type &lt;&lt; 8 | code); ESP: high 16 bits of the SPI.</summary>
    public ushort SourcePort;

    /// <summary>Destination port (host order); ICMP: the type of the answer, or 0 (ICMPv6: shifted as the source); ESP: low 16 bits of the SPI.</summary>
    public ushort DestinationPort;

    /// <summary>IP protocol of the transport (after IPv6 extension headers).</summary>
    public byte Protocol;

    /// <summary>True for IPv6.</summary>
    public bool IsIPv6;

    /// <summary>Tunnel depth: 0 on the wire, 1 inside one tunnel, ...</summary>
    public byte TunnelDepth;

    /// <summary>TCP flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80).</summary>
    public byte TcpFlags;

    /// <summary>How many VLAN ids apply to this layer (0..3).</summary>
    public byte VlanCount;

    /// <summary>ICMP/ICMPv6 type, when <see cref="Protocol"/> is <see cref="IpProtocol.Icmp"/> or <see cref="IpProtocol.Icmpv6"/>.</summary>
    public byte IcmpType;

    /// <summary>ICMP/ICMPv6 code.</summary>
    public byte IcmpCode;

    /// <summary>Layer properties.</summary>
    public PacketLayerFlags Flags;

    /// <summary>Outermost VLAN id of this layer.</summary>
    public ushort Vlan0;

    /// <summary>Second VLAN id.</summary>
    public ushort Vlan1;

    /// <summary>Third VLAN id.</summary>
    public ushort Vlan2;

    /// <summary>Offset of the IP header from the start of the packet data.</summary>
    public int NetworkOffset;

    /// <summary>Offset of the transport header.</summary>
    public int TransportOffset;

    /// <summary>Offset of the transport payload (application bytes).</summary>
    public int PayloadOffset;

    /// <summary>Length of the transport payload in the captured bytes.</summary>
    public int PayloadLength;

    /// <summary>IP total length as the header states (IPv4 total length; IPv6 40 + payload length).</summary>
    public int IPLength;

    /// <summary>TCP sequence number (host order).</summary>
    public uint TcpSequence;

    /// <summary>TCP acknowledgement number (host order).</summary>
    public uint TcpAcknowledgement;

    /// <summary>For a layer inside a tunnel: the id of the tunnel between it and the layer before (VNI, GRE key, ERSPAN session); 0 otherwise.</summary>
    public uint TunnelId;

    /// <summary>For a layer inside a tunnel: the tunnel between it and the layer before; <see cref="TunnelKind.None"/> on the wire.</summary>
    public TunnelKind TunnelKind;
}
