namespace FlowEngine.Decode;

/// <summary>
/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers") the engine decodes or keys
/// flows by: the values of <see cref="PacketLayer.Protocol"/> and <c>FlowTuple.Protocol</c>.
/// Bytes, not an enum, because the wire byte is what every layer carries.
/// </summary>
public static class IpProtocol
{
    /// <summary>IPv6 hop-by-hop options header.</summary>
    public const byte HopByHop = 0;

    /// <summary>ICMP for IPv4.</summary>
    public const byte Icmp = 1;

    /// <summary>IGMP.</summary>
    public const byte Igmp = 2;

    /// <summary>IPv4 encapsulated in IP (IP-in-IP).</summary>
    public const byte IPv4 = 4;

    /// <summary>TCP.</summary>
    public const byte Tcp = 6;

    /// <summary>UDP.</summary>
    public const byte Udp = 17;

    /// <summary>IPv6 encapsulated in IP.</summary>
    public const byte IPv6 = 41;

    /// <summary>IPv6 routing header.</summary>
    public const byte Routing = 43;

    /// <summary>IPv6 fragment header.</summary>
    public const byte Fragment = 44;

    /// <summary>GRE.</summary>
    public const byte Gre = 47;

    /// <summary>IPsec ESP.</summary>
    public const byte Esp = 50;

    /// <summary>IPsec authentication header.</summary>
    public const byte Ah = 51;

    /// <summary>ICMP for IPv6.</summary>
    public const byte Icmpv6 = 58;

    /// <summary>IPv6 "no next header".</summary>
    public const byte NoNextHeader = 59;

    /// <summary>IPv6 destination options header.</summary>
    public const byte DestinationOptions = 60;

    /// <summary>SCTP.</summary>
    public const byte Sctp = 132;

    /// <summary>IPv6 mobility header.</summary>
    public const byte Mobility = 135;

    /// <summary>Host Identity Protocol header.</summary>
    public const byte Hip = 139;

    /// <summary>Shim6 header.</summary>
    public const byte Shim6 = 140;

    /// <summary>Ethernet in IP (segment routing's Ethernet payload).</summary>
    public const byte Ethernet = 143;
}
