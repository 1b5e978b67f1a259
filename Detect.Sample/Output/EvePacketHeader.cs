using System.Buffers.Binary;
using System.Text.Json;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace Detect.Sample.Output;

/// <summary>
/// What the EVE header of a record made from a packet (alert, anomaly, drop) reads from the packet
/// beyond its addresses, as Suricata's <c>CreateEveHeader</c> does: its VLAN tags, whether its ports
/// are known (not in a fragment), its ICMP type and code, and its Ethernet header (<c>ethernet: yes</c>); and of an
/// ICMP error keyed to the flow it quotes, its own addresses and protocol, which the header names
/// rather than the flow's (Suricata's <c>JsonAddrInfoInit</c> reads <c>p->src</c>, <c>p->dst</c>, <c>p->proto</c>).
/// </summary>
internal readonly struct EvePacketHeader
{
    /// <summary>An IP fragment not reassembled: Suricata decodes no transport header in it, so writes no ports and no ICMP fields.</summary>
    public bool Fragment { get; init; }

    /// <summary>The packet's ICMP or ICMPv6 header was decoded: <see cref="IcmpType"/> and <see cref="IcmpCode"/> hold.</summary>
    public bool HasIcmp { get; init; }

    public byte IcmpType { get; init; }

    public byte IcmpCode { get; init; }

    /// <summary>An ICMP error keyed to the flow it quotes: its own tuple (<see cref="IcmpErrorPacket"/>), which the header names instead of the record's packet tuple.</summary>
    public FlowTuple? IcmpError { get; init; }

    /// <summary>The packet is the captured frame and starts with an Ethernet header: what <c>ether</c> describes.</summary>
    public bool HasEther { get; init; }

    /// <summary>The Ethernet header's own EtherType (0x8100 for a tagged frame, as Suricata writes it; the decoder keeps the one after the tags).</summary>
    public ushort EtherType { get; init; }

    /// <summary>The captured frame's MACs, as the decoder read them from its (outermost) Ethernet header.</summary>
    public ulong SourceMac { get; init; }

    public ulong DestinationMac { get; init; }

    /// <summary>
    /// How many VLAN tags the packet's layer had (at most 3), priority tags (id 0) included: the
    /// <c>vlan</c> array's length, as Suricata writes <c>p->vlan_idx</c> ids of <c>p->vlan_id</c>.
    /// </summary>
    public int VlanCount { get; init; }

    /// <summary>The layer's VLAN ids, outermost first; those past <see cref="VlanCount"/> are 0.</summary>
    public ushort Vlan0 { get; init; }

    public ushort Vlan1 { get; init; }

    public ushort Vlan2 { get; init; }

    /// <summary>
    /// The header facts of <paramref name="packet"/>'s layer <paramref name="layer"/> (-1: a packet
    /// without IP, only its Ethernet header), <paramref name="bytes"/> the captured frame.
    /// </summary>
    public static EvePacketHeader Of(in DecodedPacket packet, int layer, ReadOnlySpan<byte> bytes)
    {
        bool ether = packet.Record.LinkType == LinkType.Ethernet && bytes.Length >= 14;
        bool fragment = false, icmp = false;
        byte type = 0, code = 0;
        FlowTuple? error = null;
        int vlans = 0;
        ushort vlan0 = 0, vlan1 = 0, vlan2 = 0;
        if (layer >= 0 && layer < packet.LayerCount)
        {
            ref readonly PacketLayer l = ref packet.Layers[layer];

            // The packet's own tags, not the flow key's: a priority tag (id 0) is written as Suricata's decode-vlan.c
            // counts it, and the ids do not depend on vlan.use-for-tracking.
            vlans = Math.Min((int)l.VlanCount, 3);
            vlan0 = l.Vlan0;
            vlan1 = l.Vlan1;
            vlan2 = l.Vlan2;
            fragment = (l.Flags & PacketLayerFlags.Fragment) != 0;

            // A tunnel's inner packet or a reassembled datagram is not the captured frame: Suricata's
            // pseudo-packet has no Ethernet header of its own (and its flow none recorded).
            ether &= l.TunnelDepth == 0 && (l.Flags & PacketLayerFlags.Reassembled) == 0;

            // An ICMP error keyed to the flow it quotes carries that flow's tuple here: its own is read from its header.
            bool keyedError = (l.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0;
            error = keyedError ? IcmpErrorPacket.Tuple(l, bytes) : null;
            icmp = keyedError || (!fragment && l.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6 && (l.Flags & PacketLayerFlags.HasFlowKey) != 0);
            type = icmp ? l.IcmpType : (byte)0;
            code = icmp ? l.IcmpCode : (byte)0;
        }

        return new EvePacketHeader
        {
            Fragment = fragment,
            HasIcmp = icmp,
            IcmpType = type,
            IcmpCode = code,
            IcmpError = error,
            VlanCount = vlans,
            Vlan0 = vlan0,
            Vlan1 = vlan1,
            Vlan2 = vlan2,
            HasEther = ether,
            EtherType = ether ? BinaryPrimitives.ReadUInt16BigEndian(bytes[12..]) : (ushort)0,
            DestinationMac = ether ? packet.DestinationMac : 0,
            SourceMac = ether ? packet.SourceMac : 0,
        };
    }

    /// <summary>The record's <c>vlan</c> array (none for an untagged packet), as <c>CreateEveHeader</c> writes it after <c>event_type</c>.</summary>
    public void WriteVlan(Utf8JsonWriter w)
    {
        if (VlanCount == 0)
        {
            return;
        }

        w.WriteStartArray(EveNames.Vlan);
        w.WriteNumberValue(Vlan0);
        if (VlanCount > 1)
        {
            w.WriteNumberValue(Vlan1);
        }

        if (VlanCount > 2)
        {
            w.WriteNumberValue(Vlan2);
        }

        w.WriteEndArray();
    }
}
