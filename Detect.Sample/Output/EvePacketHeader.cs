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

    /// <summary>The packet has an Ethernet header of its own (<see cref="RecordPacket.EthernetOffset"/>): what <c>ether</c> describes.</summary>
    public bool HasEther { get; init; }

    /// <summary>The Ethernet header's own EtherType (0x8100 for a tagged frame, as Suricata writes it; the decoder keeps the one after the tags).</summary>
    public ushort EtherType { get; init; }

    /// <summary>That header's MACs: the captured frame's as the decoder read them, or a tunnel's inner frame's.</summary>
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
    /// The packet has no Ethernet header of its own and the MACs are its flow's first (Suricata 8's
    /// <c>CreateJSONEther</c> for such a packet: <c>MacSetGetFirst</c>, client's first): <c>ether</c> without <c>ether_type</c>.
    /// </summary>
    public bool FlowMacs { get; init; }

    /// <summary>
    /// This header, or for a packet without an Ethernet header of its own, its flow's first MACs
    /// (<paramref name="client"/>'s first) when the flow has <paramref name="seen"/> any.
    /// </summary>
    public EvePacketHeader OrFlowMacs(bool seen, ulong client, ulong server) =>
        HasEther || !seen ? this : this with { HasEther = true, FlowMacs = true, SourceMac = client, DestinationMac = server };

    /// <summary>
    /// The header facts of <paramref name="packet"/>'s layer <paramref name="layer"/> (-1: a packet
    /// without IP, only its Ethernet header), <paramref name="bytes"/> the bytes its layers refer to.
    /// </summary>
    public static EvePacketHeader Of(in DecodedPacket packet, int layer, ReadOnlySpan<byte> bytes) =>
        Of(packet, layer, bytes, RecordPacket.Of(packet, layer, bytes));

    /// <summary>
    /// The header facts of <paramref name="packet"/>'s layer <paramref name="layer"/>, which stands
    /// for <paramref name="record"/>: its Ethernet header is that packet's own, as Suricata's
    /// <c>CreateJSONEther</c> reads it (the inner frame's of a VXLAN packet; none for a tunnel's inner
    /// IP packet or a reassembled datagram).
    /// </summary>
    public static EvePacketHeader Of(in DecodedPacket packet, int layer, ReadOnlySpan<byte> bytes, in RecordPacket record)
    {
        int ethernet = record.EthernetOffset;
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

            // An ICMP error keyed to the flow it quotes carries that flow's tuple here: its own is read from its header.
            bool keyedError = (l.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0;
            error = keyedError ? IcmpErrorPacket.Tuple(l, bytes) : null;
            icmp = keyedError || (!fragment && l.Protocol is IpProtocol.Icmp or IpProtocol.Icmpv6 && (l.Flags & PacketLayerFlags.HasFlowKey) != 0);
            type = icmp ? l.IcmpType : (byte)0;
            code = icmp ? l.IcmpCode : (byte)0;
        }

        // The captured frame's MACs the decoder already read; an inner frame's are read here.
        bool wire = ethernet == 0 && record.Start == 0;
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
            HasEther = ethernet >= 0,
            EtherType = ethernet >= 0 ? BinaryPrimitives.ReadUInt16BigEndian(bytes[(ethernet + 12)..]) : (ushort)0,
            DestinationMac = ethernet < 0 ? 0 : wire ? packet.DestinationMac : Mac(bytes, ethernet),
            SourceMac = ethernet < 0 ? 0 : wire ? packet.SourceMac : Mac(bytes, ethernet + 6),
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

    /// <summary>The MAC address at <paramref name="offset"/> as the low 48 bits.</summary>
    private static ulong Mac(ReadOnlySpan<byte> bytes, int offset) =>
        ((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[(offset + 2)..]);
}
