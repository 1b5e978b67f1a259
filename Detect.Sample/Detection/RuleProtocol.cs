namespace Detect.Sample.Detection;

/// <summary>The protocol field of a rule, as Suricata resolves it.</summary>
internal enum RuleProtocol
{
    /// <summary><c>ip</c> / <c>any</c> / <c>pkthdr</c>: every IP packet.</summary>
    Ip,

    /// <summary><c>tcp</c>, <c>tcp-pkt</c>, <c>tcp-stream</c>.</summary>
    Tcp,

    /// <summary><c>udp</c>.</summary>
    Udp,

    /// <summary><c>icmp</c>: ICMP and ICMPv6.</summary>
    Icmp,

    /// <summary><c>ipv4</c> / <c>ip4</c>: every IPv4 packet.</summary>
    Ipv4,

    /// <summary><c>ipv6</c> / <c>ip6</c>: every IPv6 packet.</summary>
    Ipv6,

    /// <summary><c>icmpv4</c>: ICMP over IPv4 only.</summary>
    Icmpv4,

    /// <summary><c>icmpv6</c>: ICMPv6 only.</summary>
    Icmpv6,

    /// <summary><c>sctp</c>.</summary>
    Sctp,

    /// <summary><c>igmp</c>.</summary>
    Igmp,
}
