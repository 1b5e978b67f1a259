using Capture.Abstractions;

namespace FlowEngine.Defrag;

/// <summary>
/// Identifies one datagram being reassembled: addresses, IP id, protocol (IPv4 only; IPv6 keys
/// without it, as the fragment header's next header may differ), VLAN ids and tunnel depth.
/// </summary>
internal readonly record struct DefragKey(
    FlowAddress Source,
    FlowAddress Destination,
    uint Identification,
    byte Protocol,
    bool IsIPv6,
    byte TunnelDepth,
    ushort Vlan0,
    ushort Vlan1,
    ushort Vlan2);
