using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Capture.Abstractions;

namespace Capture.Linux.Xdp.Maps;

/// <summary>
/// The tunnel part of a flow key (struct tunnel_id in Xdp/Bpf/xdp_bypass.c), 40 bytes, all zero
/// for a flow on the wire: the two outer addresses ordered (the lower as a big-endian number
/// first, IPv4 in the first 4 bytes), the id (VNI, GRE key, ERSPAN session; host order), the
/// kind (<see cref="TunnelKind"/>), whether the outer packet is IPv6, and two bytes of padding (0).
/// Ordering makes one identity of both directions of a tunnel and of a mirror session's one.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4, Size = 40)]
public struct TunnelKey : IEquatable<TunnelKey>
{
    /// <summary>The lower outer address.</summary>
    public FlowAddress OuterLow;
    /// <summary>The higher outer address.</summary>
    public FlowAddress OuterHigh;
    /// <summary>VXLAN/Geneve VNI, GRE key or ERSPAN session id (host order).</summary>
    public uint Id;
    /// <summary>The tunnel protocol (<see cref="TunnelKind"/>).</summary>
    public TunnelKind Kind;
    /// <summary>1 when the outer packet is IPv6.</summary>
    public byte OuterIsIPv6;
    /// <summary>Always 0 (the C struct's padding).</summary>
    public ushort Padding;

    /// <summary>The key part of <paramref name="tunnel"/>; all zero for <see cref="TunnelKind.None"/>.</summary>
    public static TunnelKey From(in FlowTunnel tunnel)
    {
        TunnelKey key = default;
        if (tunnel.Kind == TunnelKind.None)
        {
            return key;
        }

        bool sourceLower = Compare(tunnel.OuterSource, tunnel.OuterDestination) <= 0;
        key.OuterLow = sourceLower ? tunnel.OuterSource : tunnel.OuterDestination;
        key.OuterHigh = sourceLower ? tunnel.OuterDestination : tunnel.OuterSource;
        key.Id = tunnel.Id;
        key.Kind = tunnel.Kind;
        key.OuterIsIPv6 = tunnel.OuterIsIPv6 ? (byte)1 : (byte)0;
        return key;
    }

    /// <summary>The tunnel this key names, lower address as the outer source.</summary>
    public readonly FlowTunnel ToTunnel() =>
        Kind == TunnelKind.None ? default : new FlowTunnel(Kind, Id, OuterIsIPv6 != 0, OuterLow, OuterHigh);

    /// <summary>Orders two addresses as big-endian numbers, as the XDP program does.</summary>
    internal static int Compare(FlowAddress a, FlowAddress b)
    {
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.CopyTo(x);
        b.CopyTo(y);
        int high = BinaryPrimitives.ReadUInt64BigEndian(x).CompareTo(BinaryPrimitives.ReadUInt64BigEndian(y));
        return high != 0 ? high : BinaryPrimitives.ReadUInt64BigEndian(x[8..]).CompareTo(BinaryPrimitives.ReadUInt64BigEndian(y[8..]));
    }

    /// <inheritdoc />
    public readonly bool Equals(TunnelKey other) =>
        OuterLow == other.OuterLow && OuterHigh == other.OuterHigh && Id == other.Id && Kind == other.Kind && OuterIsIPv6 == other.OuterIsIPv6;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is TunnelKey other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(OuterLow, OuterHigh, Id, Kind, OuterIsIPv6);

    /// <summary>Equality.</summary>
    public static bool operator ==(TunnelKey left, TunnelKey right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(TunnelKey left, TunnelKey right) => !left.Equals(right);
}
