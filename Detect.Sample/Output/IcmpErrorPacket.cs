using System.Diagnostics;
using Capture.Abstractions;
using FlowEngine.Decode;

namespace Detect.Sample.Output;

/// <summary>
/// An ICMPv4 error the engine keyed to the flow it quotes (<see cref="PacketLayerFlags.IcmpErrorForEmbedded"/>)
/// as the packet it is: its own addresses and ICMP, what Suricata's rules and records see of it
/// (decode-icmpv4.c keeps the quote in <c>icmpv4vars.emb_*</c>, leaving <c>p->src</c>, <c>p->dst</c>
/// and <c>p->proto</c> the error's own; only the flow hash reads the quote). The decoder put the
/// quoted flow's tuple in the layer, so the error's addresses are read again from its IP header:
/// the rare packet pays for it, not every packet's layer. ICMPv6 errors are never keyed so
/// (Suricata's flow hash has no such case for them).
/// </summary>
internal static class IcmpErrorPacket
{
    /// <summary>
    /// The error's own tuple in its own direction, its "ports" as ICMPv4 packets are keyed (the type;
    /// an error has no answer type), from <paramref name="bytes"/>, the packet
    /// <paramref name="layer"/>'s offsets point into.
    /// </summary>
    public static FlowTuple Tuple(in PacketLayer layer, ReadOnlySpan<byte> bytes)
    {
        Debug.Assert((layer.Flags & PacketLayerFlags.IcmpErrorForEmbedded) != 0 && !layer.IsIPv6, "an ICMPv4 error keyed to the flow it quotes");
        int source = layer.NetworkOffset + 12;
        Debug.Assert(layer.NetworkOffset >= 0 && source + 8 <= bytes.Length, "the decoder read this IP header");
        return new FlowTuple(
            false,
            FlowAddress.FromBytes(bytes.Slice(source, 4)),
            FlowAddress.FromBytes(bytes.Slice(source + 4, 4)),
            layer.IcmpType,
            0,
            IpProtocol.Icmp,
            layer.Vlan0,
            layer.Vlan1,
            layer.Vlan2,
            layer.TunnelDepth);
    }
}
