using System.Buffers.Binary;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace Detect.Sample.Output;

/// <summary>
/// The packet a record made from a packet describes, as Suricata holds it: the captured frame, or
/// the packet of its own Suricata makes for a tunnel's inner packet (decode.c
/// <c>PacketTunnelPktSetup</c>: the bytes after the tunnel's header, datalink DLT_RAW whatever they
/// start with, VXLAN's inner Ethernet frame included) or for a reassembled datagram (defrag.c: the
/// first fragment's bytes from its packet's start, the datagram after them, and that packet's
/// datalink, <c>tracker->datalink</c>). Where its bytes lie in the bytes the layers refer to, its
/// link type (<c>packet_info</c>) and its Ethernet header (<c>ether</c>), if it has one.
/// </summary>
internal readonly struct RecordPacket
{
    private const ushort EtherTypeBridging = 0x6558;
    private const ushort EtherTypeErspanII = 0x88BE;
    private const ushort EtherTypeErspanIII = 0x22EB;
    private const ushort EtherTypeWccp = 0x883E;
    private const ushort GreFlagChecksum = 0x8000;
    private const ushort GreFlagRouting = 0x4000;
    private const ushort GreFlagKey = 0x2000;
    private const ushort GreFlagSequence = 0x1000;
    private const ushort GreFlagAck = 0x0080;

    /// <summary>Where the packet's bytes start.</summary>
    public int Start { get; init; }

    /// <summary>Where they end.</summary>
    public int End { get; init; }

    /// <summary>Its link type: the capture's, or <see cref="LinkType.Raw"/> for a tunnel's inner packet.</summary>
    public LinkType LinkType { get; init; }

    /// <summary>Where its Ethernet header is (what <c>ether</c> describes); -1 when it has none.</summary>
    public int EthernetOffset { get; init; }

    /// <summary>The packet's bytes within <paramref name="bytes"/>, the bytes its layers refer to.</summary>
    public ReadOnlySpan<byte> Of(ReadOnlySpan<byte> bytes) => bytes[Start..End];

    /// <summary>
    /// The packet that layer <paramref name="layer"/> of <paramref name="packet"/> (-1: a packet
    /// without IP) stands for; <paramref name="bytes"/> are the bytes its layers refer to.
    /// </summary>
    public static RecordPacket Of(in DecodedPacket packet, int layer, ReadOnlySpan<byte> bytes)
    {
        if (layer <= 0 || layer >= packet.LayerCount)
        {
            // A datagram reassembled on the wire keeps the frame's link header and link type, but
            // Suricata decodes it from its IP header on: it has no Ethernet header of its own.
            bool datagram = layer == 0 && packet.LayerCount > 0 && IsDatagram(packet.Layers[0]);
            bool ethernet = packet.Record.LinkType == LinkType.Ethernet && bytes.Length >= 14 && !datagram;
            return new RecordPacket
            {
                Start = 0,
                End = datagram ? Math.Min(bytes.Length, packet.Layers[0].NetworkOffset + packet.Layers[0].IPLength) : bytes.Length,
                LinkType = packet.Record.LinkType,
                EthernetOffset = ethernet ? 0 : -1,
            };
        }

        ref readonly PacketLayer outer = ref packet.Layers[layer - 1];
        ref readonly PacketLayer inner = ref packet.Layers[layer];
        (int start, int ethernetAt) = InnerStart(outer, inner, bytes);

        // The tunnel's packet ends where the datagram (or UDP datagram) carrying it does; a
        // datagram reassembled inside the tunnel where its reassembled length says.
        bool udp = outer.Protocol == IpProtocol.Udp;
        int end = IsDatagram(inner) ? inner.NetworkOffset + inner.IPLength
            : udp ? outer.PayloadOffset + outer.PayloadLength
            : outer.NetworkOffset + outer.IPLength;
        end = Math.Clamp(end, Math.Min(start, bytes.Length), bytes.Length);
        return new RecordPacket
        {
            Start = Math.Min(start, end),
            End = end,
            LinkType = LinkType.Raw,
            EthernetOffset = IsDatagram(inner) || ethernetAt < 0 || ethernetAt + 14 > end ? -1 : ethernetAt,
        };
    }

    /// <summary>Reassembly made the layer's datagram (not the fragment that completed it, seen on its own).</summary>
    private static bool IsDatagram(in PacketLayer layer) =>
        (layer.Flags & (PacketLayerFlags.Reassembled | PacketLayerFlags.Fragment)) == PacketLayerFlags.Reassembled;

    /// <summary>
    /// Where the tunnel between <paramref name="outer"/> and <paramref name="inner"/> hands Suricata's
    /// decoder its inner packet (the first byte after the tunnel's own header), and where that
    /// packet's Ethernet header is, -1 for none: VXLAN's frame; Geneve's and GRE's when they carry
    /// Ethernet (transparent bridging); ERSPAN's after its own header; IPPROTO_ETHERNET's.
    /// </summary>
    private static (int Start, int Ethernet) InnerStart(in PacketLayer outer, in PacketLayer inner, ReadOnlySpan<byte> b)
    {
        switch (outer.Protocol)
        {
            case IpProtocol.Udp when inner.TunnelKind == TunnelKind.Vxlan:
                return (outer.PayloadOffset + 8, outer.PayloadOffset + 8);
            case IpProtocol.Udp when inner.TunnelKind == TunnelKind.Geneve:
                int geneve = outer.PayloadOffset;
                int payload = geneve + 8 + ((b[geneve] & 0x3F) << 2);
                return (payload, U16(b, geneve + 2) == EtherTypeBridging ? payload : -1);
            case IpProtocol.Gre:
                return GreInnerStart(b, outer.TransportOffset, inner);
            case IpProtocol.Ethernet:
                return (outer.TransportOffset, outer.TransportOffset);
            default:
                // IP in IP, and Teredo (whose decoder hands over the IPv6 header, past its indicators).
                return (inner.NetworkOffset, -1);
        }
    }

    /// <summary>GRE's inner packet: after its header (and source route entries), for WCCP its IPv4 header.</summary>
    private static (int Start, int Ethernet) GreInnerStart(ReadOnlySpan<byte> b, int gre, in PacketLayer inner)
    {
        ushort flags = U16(b, gre);
        ushort protocol = U16(b, gre + 2);
        int at;
        if ((flags & 0x0007) == 1)
        {
            // PPTP's enhanced GRE: the key word always, sequence and acknowledgement when flagged.
            at = gre + 8 + ((flags & GreFlagSequence) != 0 ? 4 : 0) + ((flags & GreFlagAck) != 0 ? 4 : 0);
        }
        else
        {
            at = gre + 4 + ((flags & (GreFlagChecksum | GreFlagRouting)) != 0 ? 4 : 0) + ((flags & GreFlagKey) != 0 ? 4 : 0) + ((flags & GreFlagSequence) != 0 ? 4 : 0);
            while ((flags & GreFlagRouting) != 0 && at + 4 <= b.Length)
            {
                // Source route entries (family, offset, length, data) up to the one of family 0, length 0.
                int family = U16(b, at);
                int length = b[at + 3];
                at += 4 + length;
                if (family == 0 && length == 0)
                {
                    break;
                }
            }
        }

        return protocol switch
        {
            EtherTypeBridging => (at, at),
            EtherTypeErspanII => (at, (flags & GreFlagSequence) == 0 ? at : at + 8),
            EtherTypeErspanIII when at + 12 <= b.Length => (at, at + ((b[at + 11] & 0x01) != 0 ? 20 : 12)),
            EtherTypeWccp => (inner.NetworkOffset, -1),
            _ => (at, -1),
        };
    }

    private static ushort U16(ReadOnlySpan<byte> b, int offset) =>
        offset >= 0 && offset + 2 <= b.Length ? BinaryPrimitives.ReadUInt16BigEndian(b[offset..]) : (ushort)0;
}
