using System.Numerics;
using System.Runtime.CompilerServices;
using Capture.Abstractions;

namespace FlowEngine.Defrag;

/// <summary>
/// Identifies one datagram being reassembled: addresses, IP id, protocol (IPv4 only; IPv6 keys
/// without it, as the fragment header's next header may differ), VLAN ids and tunnel depth.
/// </summary>
/// <remarks>
/// Equality and hash are written out over the raw words: the generated ones went through the
/// default comparer and <see cref="HashCode"/> per member and were a tenth of the decode time of
/// the shared captures, whose fragments look the tracker table up once each.
/// </remarks>
internal readonly record struct DefragKey(
    FlowAddress Source,
    FlowAddress Destination,
    uint Identification,
    byte Protocol,
    bool IsIPv6,
    byte TunnelDepth,
    ushort Vlan0,
    ushort Vlan1,
    ushort Vlan2)
{
    /// <inheritdoc />
    public bool Equals(DefragKey other) =>
        Source.Equals(other.Source) && Destination.Equals(other.Destination) && Tail == other.Tail && Vlans == other.Vlans;

    /// <inheritdoc />
    public override int GetHashCode()
    {
        FlowAddress sourceAddress = Source;
        FlowAddress destinationAddress = Destination;
        ref ulong source = ref Unsafe.As<FlowAddress, ulong>(ref sourceAddress);
        ref ulong destination = ref Unsafe.As<FlowAddress, ulong>(ref destinationAddress);
        ulong h = (source * 0x9E3779B97F4A7C15UL) ^ Unsafe.Add(ref source, 1);
        h = (BitOperations.RotateLeft(h, 23) ^ destination) * 0xBF58476D1CE4E5B9UL;
        h = (BitOperations.RotateLeft(h, 23) ^ Unsafe.Add(ref destination, 1) ^ Tail) * 0x94D049BB133111EBUL;
        h ^= Vlans;
        return (int)(h ^ (h >> 29) ^ (h >> 47));
    }

    /// <summary>Identification, protocol, family and depth in one word.</summary>
    private ulong Tail => Identification | ((ulong)Protocol << 32) | ((IsIPv6 ? 1UL : 0) << 40) | ((ulong)TunnelDepth << 48);

    /// <summary>The three VLAN ids in one word.</summary>
    private ulong Vlans => Vlan0 | ((ulong)Vlan1 << 16) | ((ulong)Vlan2 << 32);
}
