using System.Diagnostics;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace Detect.Sample.Output;

/// <summary>
/// An ICMP error the engine keyed to the flow it quotes (<see cref="PacketLayerFlags.IcmpErrorForEmbedded"/>)
/// as the packet it is: its own addresses and ICMP, what Suricata's rules and records see of it
/// (decode-icmpv4.c keeps the quote in <c>icmpv4vars.emb_*</c>, leaving <c>p->src</c>, <c>p->dst</c>
/// and <c>p->proto</c> the error's own; only the flow hash reads the quote). The decoder put the
/// quoted flow's tuple in the layer, so the error's addresses are read again from its IP header:
/// the rare packet pays for it, not every packet's layer.
/// </summary>
internal static class IcmpErrorPacket
{
    /// <summary>
    /// The error's own tuple in its own direction, its "ports" as ICMP packets are keyed (the type;
    /// ICMPv6 type and code; an error has no answer type), from <paramref name="bytes"/>, the packet
    /// <paramref name="layer"/>'s offsets point into.
    /// </summary>
    public static FlowTuple Tuple(in PacketLayer layer, ReadOnlySpan<byte> bytes)
    {
        Debug.Assert((layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0, "an ICMP error keyed to the flow it quotes");
        int ip = layer.NetworkOffset;
        int size = layer.IsIPv6 ? 16 : 4;
        int source = ip + (layer.IsIPv6 ? 8 : 12);
        Debug.Assert(ip >= 0 && source + (2 * size) <= bytes.Length, "the decoder read this IP header");
        return new FlowTuple(
            layer.IsIPv6,
            FlowAddress.FromBytes(bytes.Slice(source, size)),
            FlowAddress.FromBytes(bytes.Slice(source + size, size)),
            layer.IsIPv6 ? (ushort)(layer.IcmpType << 8 | layer.IcmpCode) : layer.IcmpType,
            0,
            layer.IsIPv6 ? IpProtocol.Icmpv6 : IpProtocol.Icmp,
            layer.Vlan0,
            layer.Vlan1,
            layer.Vlan2,
            layer.TunnelDepth);
    }
}
