namespace Detect.Sample.Output;

/// <summary>
/// Where the packet a record is about came from, as Suricata tells it in <c>pkt_src</c> (its
/// <c>PktSrcEnum</c>): the capture itself, the inner packet of a tunnel (named after the tunnel that
/// carried the innermost layer), or a datagram reassembled from fragments.
/// </summary>
internal enum PacketSource : byte
{
    /// <summary>A packet as captured: <c>wire/pcap</c>.</summary>
    Wire = 0,

    /// <summary>Inside GRE (ERSPAN, PPP over GRE and WCCP included): <c>gre tunnel</c>.</summary>
    GreTunnel,

    /// <summary>Inside an IPv4 header (IPv4 or IPv6 in IPv4): <c>ipv4 tunnel</c>.</summary>
    IPv4Tunnel,

    /// <summary>Inside an IPv6 header (IPv4 or IPv6 in IPv6): <c>ipv6 tunnel</c>.</summary>
    IPv6Tunnel,

    /// <summary>Inside Teredo: <c>teredo tunnel</c>.</summary>
    TeredoTunnel,

    /// <summary>Inside VXLAN: <c>vxlan encapsulation</c>.</summary>
    Vxlan,

    /// <summary>Inside Geneve: <c>geneve encapsulation</c>.</summary>
    Geneve,

    /// <summary>A datagram reassembled from fragments: <c>defrag</c>.</summary>
    Defrag,
}
