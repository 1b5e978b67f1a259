using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Capture.Abstractions;

namespace Capture.Linux.Xdp.Maps;

/// <summary>
/// The IPv6 half-flow key of <c>flow_v6</c> (struct flow_v6_key in Xdp/Bpf/xdp_bypass.c), 84 bytes:
/// src[16], dst[16] (network order), sport, dport (network order), proto, pad (0), vlan[3]
/// (host order, 12-bit ids, outermost first; inside a tunnel, the inner frame's), then the tunnel
/// (<see cref="TunnelKey"/>, zero on the wire).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4, Size = 84)]
public struct FlowKeyV6 : IEquatable<FlowKeyV6>, IHalfFlowKey<FlowKeyV6>
{
    /// <summary>Source address.</summary>
    public FlowAddress Source;
    /// <summary>Destination address.</summary>
    public FlowAddress Destination;
    /// <summary>Source port (network order).</summary>
    public ushort SourcePort;
    /// <summary>Destination port (network order).</summary>
    public ushort DestinationPort;
    /// <summary>IP protocol number.</summary>
    public byte Protocol;
    /// <summary>Always 0 (the C struct's padding byte).</summary>
    public byte Padding;
    /// <summary>Outermost VLAN id (12 bits, host order), 0 for none.</summary>
    public ushort Vlan0;
    /// <summary>Second VLAN id (12 bits, host order), 0 for none.</summary>
    public ushort Vlan1;
    /// <summary>Third VLAN id (12 bits, host order), 0 for none.</summary>
    public ushort Vlan2;
    /// <summary>The tunnel the flow travels in; zero on the wire.</summary>
    public TunnelKey Tunnel;

    /// <summary>The key of the to-server half (Source → Destination) of <paramref name="flow"/>.</summary>
    public static FlowKeyV6 ToServer(in FlowTuple flow)
    {
        FlowKeyV6 key = default;
        key.Source = flow.Source;
        key.Destination = flow.Destination;
        key.SourcePort = BinaryPrimitives.ReverseEndianness(flow.SourcePort);
        key.DestinationPort = BinaryPrimitives.ReverseEndianness(flow.DestinationPort);
        key.Protocol = flow.Protocol;
        key.Vlan0 = (ushort)(flow.Vlan0 & 0x0fff);
        key.Vlan1 = (ushort)(flow.Vlan1 & 0x0fff);
        key.Vlan2 = (ushort)(flow.Vlan2 & 0x0fff);
        key.Tunnel = TunnelKey.From(flow.Tunnel);
        return key;
    }

    /// <summary>The other direction's key.</summary>
    public readonly FlowKeyV6 Reverse()
    {
        FlowKeyV6 key = this;
        key.Source = Destination;
        key.Destination = Source;
        key.SourcePort = DestinationPort;
        key.DestinationPort = SourcePort;
        return key;
    }

    /// <summary>The flow this key describes, Source → Destination.</summary>
    internal readonly FlowTuple ToTuple() =>
        new(true, Source, Destination, BinaryPrimitives.ReverseEndianness(SourcePort), BinaryPrimitives.ReverseEndianness(DestinationPort), Protocol, Vlan0, Vlan1, Vlan2, Tunnel.Kind == TunnelKind.None ? (byte)0 : (byte)1) { Tunnel = Tunnel.ToTunnel() };

    /// <inheritdoc />
    public readonly bool Equals(FlowKeyV6 other) =>
        Source == other.Source && Destination == other.Destination && SourcePort == other.SourcePort
        && DestinationPort == other.DestinationPort && Protocol == other.Protocol && Vlan0 == other.Vlan0
        && Vlan1 == other.Vlan1 && Vlan2 == other.Vlan2 && Tunnel == other.Tunnel;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is FlowKeyV6 other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() =>
        HashCode.Combine(Source, Destination, SourcePort, DestinationPort, Protocol, HashCode.Combine(Vlan0, Vlan1, Vlan2), Tunnel);
}
