using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Capture.Abstractions;

namespace Capture.Linux.Xdp.Maps;

/// <summary>
/// The IPv4 half-flow key of <c>flow_v4</c> (struct flow_v4_key in Xdp/Bpf/xdp_bypass.c), 60 bytes:
/// src, dst (network order), sport, dport (network order), proto, pad (0), vlan[3] (host order,
/// 12-bit ids, outermost first; inside a tunnel, the inner frame's), then the tunnel
/// (<see cref="TunnelKey"/>, zero on the wire).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4, Size = 60)]
public struct FlowKeyV4 : IEquatable<FlowKeyV4>, IHalfFlowKey<FlowKeyV4>
{
    /// <summary>Source address (network order).</summary>
    public uint Source;
    /// <summary>Destination address (network order).</summary>
    public uint Destination;
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
    public static FlowKeyV4 ToServer(in FlowTuple flow)
    {
        Span<byte> address = stackalloc byte[4];
        FlowKeyV4 key = default;
        flow.Source.CopyIPv4To(address);
        key.Source = MemoryMarshal.Read<uint>(address);
        flow.Destination.CopyIPv4To(address);
        key.Destination = MemoryMarshal.Read<uint>(address);
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
    public readonly FlowKeyV4 Reverse()
    {
        FlowKeyV4 key = this;
        key.Source = Destination;
        key.Destination = Source;
        key.SourcePort = DestinationPort;
        key.DestinationPort = SourcePort;
        return key;
    }

    /// <summary>The flow this key describes, Source → Destination.</summary>
    internal readonly FlowTuple ToTuple()
    {
        Span<byte> address = stackalloc byte[4];
        MemoryMarshal.Write(address, in Source);
        FlowAddress source = FlowAddress.FromBytes(address);
        MemoryMarshal.Write(address, in Destination);
        FlowAddress destination = FlowAddress.FromBytes(address);
        return new FlowTuple(false, source, destination, BinaryPrimitives.ReverseEndianness(SourcePort), BinaryPrimitives.ReverseEndianness(DestinationPort), Protocol, Vlan0, Vlan1, Vlan2, Tunnel.Kind == TunnelKind.None ? (byte)0 : (byte)1) { Tunnel = Tunnel.ToTunnel() };
    }

    /// <inheritdoc />
    public readonly bool Equals(FlowKeyV4 other) =>
        Source == other.Source && Destination == other.Destination && SourcePort == other.SourcePort
        && DestinationPort == other.DestinationPort && Protocol == other.Protocol && Vlan0 == other.Vlan0
        && Vlan1 == other.Vlan1 && Vlan2 == other.Vlan2 && Tunnel == other.Tunnel;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is FlowKeyV4 other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() =>
        HashCode.Combine(Source, Destination, SourcePort, DestinationPort, Protocol, HashCode.Combine(Vlan0, Vlan1, Vlan2), Tunnel);
}
