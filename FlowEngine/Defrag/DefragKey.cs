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
/// the shared captures, whose fragments look the tracker table up once each. The hash is keyed per
/// process (<see cref="KeyedFlowHash.Shared"/>): a fixed multiply-xor mix used before let a
/// sender build fragments whose keys share a bucket in every process.
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
        return (int)KeyedFlowHash.Shared.Hash(source, Unsafe.Add(ref source, 1), destination, Unsafe.Add(ref destination, 1), Tail, Vlans);
    }

    /// <summary>Identification, protocol, family and depth in one word.</summary>
    private ulong Tail => Identification | ((ulong)Protocol << 32) | ((IsIPv6 ? 1UL : 0) << 40) | ((ulong)TunnelDepth << 48);

    /// <summary>The three VLAN ids in one word.</summary>
    private ulong Vlans => Vlan0 | ((ulong)Vlan1 << 16) | ((ulong)Vlan2 << 32);
}
