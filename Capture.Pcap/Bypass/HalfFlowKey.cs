using System.Runtime.InteropServices;
using Capture.Abstractions;

namespace Capture.Pcap.Bypass;

/// <summary>
/// One direction of a flow as the software filter matches packets: addresses, ports, protocol,
/// VLAN ids and the tunnel's identity (zero on the wire), keyed like <see cref="FlowTuple"/> (source is the packet's sender). Addresses are
/// held as the raw bytes of <see cref="FlowAddress"/> (16 bytes, IPv4 in the first 4), so the
/// reader builds a key straight from packet bytes.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal readonly struct HalfFlowKey : IEquatable<HalfFlowKey>
{
    private readonly ulong _source0;
    private readonly ulong _source1;
    private readonly ulong _destination0;
    private readonly ulong _destination1;

    // Source port (bits 48-63), destination port (32-47), protocol (8-15), family (0).
    private readonly ulong _portsAndProtocol;

    // Three 12-bit VLAN ids, outermost lowest.
    private readonly ulong _vlans;

    // The tunnel: outer addresses ordered as the kernel orders them (lower big-endian first), then
    // id (bits 0-31), kind (32-39) and outer family (40); all zero on the wire.
    private readonly ulong _outerLow0;
    private readonly ulong _outerLow1;
    private readonly ulong _outerHigh0;
    private readonly ulong _outerHigh1;
    private readonly ulong _tunnel;

    /// <summary>Builds a key from address bytes in network order (4 or 16 each).</summary>
    public HalfFlowKey(bool isIPv6, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ushort sourcePort, ushort destinationPort, byte protocol, ushort vlan0, ushort vlan1, ushort vlan2, in FlowTunnel tunnel)
    {
        if (isIPv6)
        {
            _source0 = MemoryMarshal.Read<ulong>(source);
            _source1 = MemoryMarshal.Read<ulong>(source[8..]);
            _destination0 = MemoryMarshal.Read<ulong>(destination);
            _destination1 = MemoryMarshal.Read<ulong>(destination[8..]);
        }
        else
        {
            // The same bytes FlowAddress holds for IPv4: the 4 address bytes, then zeros.
            _source0 = MemoryMarshal.Read<uint>(source);
            _destination0 = MemoryMarshal.Read<uint>(destination);
            _source1 = 0;
            _destination1 = 0;
        }

        _portsAndProtocol = ((ulong)sourcePort << 48) | ((ulong)destinationPort << 32) | ((ulong)protocol << 8) | (isIPv6 ? 1UL : 0UL);
        _vlans = (ulong)(ushort)(vlan0 & 0xfff) | ((ulong)(ushort)(vlan1 & 0xfff) << 12) | ((ulong)(ushort)(vlan2 & 0xfff) << 24);
        if (tunnel.Kind != TunnelKind.None)
        {
            Span<byte> a = stackalloc byte[16];
            Span<byte> b = stackalloc byte[16];
            tunnel.OuterSource.CopyTo(a);
            tunnel.OuterDestination.CopyTo(b);
            if (a.SequenceCompareTo(b) > 0)
            {
                Span<byte> swap = a;
                a = b;
                b = swap;
            }

            _outerLow0 = MemoryMarshal.Read<ulong>(a);
            _outerLow1 = MemoryMarshal.Read<ulong>(a[8..]);
            _outerHigh0 = MemoryMarshal.Read<ulong>(b);
            _outerHigh1 = MemoryMarshal.Read<ulong>(b[8..]);
            _tunnel = tunnel.Id | ((ulong)tunnel.Kind << 32) | (tunnel.OuterIsIPv6 ? 1UL << 40 : 0);
        }
    }

    /// <summary>Whether the key is IPv6.</summary>
    public bool IsIPv6 => (_portsAndProtocol & 1) != 0;

    /// <summary>The key of a flow's to-server direction.</summary>
    /// <param name="flow">The flow.</param>
    /// <returns>The key.</returns>
    public static HalfFlowKey ToServer(in FlowTuple flow) => FromTuple(flow.IsIPv6, flow.Source, flow.Destination, flow.SourcePort, flow.DestinationPort, flow);

    /// <summary>The key of a flow's to-client direction.</summary>
    /// <param name="flow">The flow.</param>
    /// <returns>The key.</returns>
    public static HalfFlowKey ToClient(in FlowTuple flow) => FromTuple(flow.IsIPv6, flow.Destination, flow.Source, flow.DestinationPort, flow.SourcePort, flow);

    /// <summary>
    /// The half flow as a tuple, the packet's sender as the source; a tunnel's lower outer address
    /// as its source. What the kernel filter's key of the same packet is built from.
    /// </summary>
    /// <returns>The tuple.</returns>
    public FlowTuple ToTuple()
    {
        Span<byte> bytes = stackalloc byte[16];
        bool isIPv6 = IsIPv6;
        FlowTunnel tunnel = default;
        if (_tunnel != 0)
        {
            bool outerIPv6 = (_tunnel & (1UL << 40)) != 0;
            tunnel = new FlowTunnel((TunnelKind)(byte)(_tunnel >> 32), (uint)_tunnel, outerIPv6, Address(_outerLow0, _outerLow1, bytes), Address(_outerHigh0, _outerHigh1, bytes));
        }

        return new FlowTuple(
            isIPv6,
            Address(_source0, _source1, bytes),
            Address(_destination0, _destination1, bytes),
            (ushort)(_portsAndProtocol >> 48),
            (ushort)(_portsAndProtocol >> 32),
            (byte)(_portsAndProtocol >> 8),
            (ushort)(_vlans & 0xfff),
            (ushort)((_vlans >> 12) & 0xfff),
            (ushort)((_vlans >> 24) & 0xfff),
            _tunnel == 0 ? (byte)0 : (byte)1)
        {
            Tunnel = tunnel,
        };
    }

    /// <inheritdoc />
    public bool Equals(HalfFlowKey other) =>
        _source0 == other._source0 && _source1 == other._source1 && _destination0 == other._destination0
        && _destination1 == other._destination1 && _portsAndProtocol == other._portsAndProtocol && _vlans == other._vlans
        && _tunnel == other._tunnel && _outerLow0 == other._outerLow0 && _outerLow1 == other._outerLow1
        && _outerHigh0 == other._outerHigh0 && _outerHigh1 == other._outerHigh1;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is HalfFlowKey other && Equals(other);

    /// <inheritdoc />
    /// <remarks>
    /// Keyed per process (<see cref="KeyedFlowHash.Shared"/>). The sum of words times fixed
    /// constants hashed before was linear: keys whose sums agree collided whatever the seed.
    /// </remarks>
    public override int GetHashCode()
    {
        uint hash = KeyedFlowHash.Shared.Hash(_source0, _source1, _destination0, _destination1, _portsAndProtocol, _vlans);
        return _tunnel == 0 ? (int)hash : (int)KeyedFlowHash.Shared.Hash(hash, _outerLow0, _outerLow1, _outerHigh0, _outerHigh1, _tunnel);
    }

    private static FlowAddress Address(ulong first, ulong second, Span<byte> buffer)
    {
        MemoryMarshal.Write(buffer, in first);
        MemoryMarshal.Write(buffer[8..], in second);
        return FlowAddress.FromBytes(buffer);
    }

    private static HalfFlowKey FromTuple(bool isIPv6, FlowAddress source, FlowAddress destination, ushort sourcePort, ushort destinationPort, in FlowTuple flow)
    {
        Span<byte> sourceBytes = stackalloc byte[16];
        Span<byte> destinationBytes = stackalloc byte[16];
        source.CopyTo(sourceBytes);
        destination.CopyTo(destinationBytes);
        return new HalfFlowKey(isIPv6, sourceBytes, destinationBytes, sourcePort, destinationPort, flow.Protocol, flow.Vlan0, flow.Vlan1, flow.Vlan2, flow.Tunnel);
    }
}
