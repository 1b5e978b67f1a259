namespace Capture.Abstractions;

/// <summary>Data link types, numbered as in the pcap LINKTYPE_ registry.</summary>
public enum LinkType : ushort
{
    /// <summary>BSD loopback: a 4-byte address family in the capturing host's byte order.</summary>
    Null = 0,

    /// <summary>Ethernet II / IEEE 802.3.</summary>
    Ethernet = 1,

    /// <summary>Raw IP: version taken from the first nibble.</summary>
    Raw = 101,

    /// <summary>OpenBSD loopback: a 4-byte address family in network byte order.</summary>
    Loop = 108,

    /// <summary>Cisco HDLC: address, control and a 2-byte EtherType.</summary>
    CiscoHdlc = 104,

    /// <summary>Linux cooked capture v1 (16-byte header).</summary>
    LinuxSll = 113,

    /// <summary>Raw IPv4.</summary>
    IPv4 = 228,

    /// <summary>Raw IPv6.</summary>
    IPv6 = 229,

    /// <summary>Linux cooked capture v2 (20-byte header).</summary>
    LinuxSll2 = 276,
}
