namespace Detect.Sample.Detection;

/// <summary>The protocol field of a rule.</summary>
internal enum RuleProtocol
{
    /// <summary><c>ip</c> / <c>any</c>: every IP packet.</summary>
    Ip,

    /// <summary><c>tcp</c>.</summary>
    Tcp,

    /// <summary><c>udp</c>.</summary>
    Udp,

    /// <summary><c>icmp</c>: ICMP and ICMPv6.</summary>
    Icmp,
}
