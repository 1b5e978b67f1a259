using Capture.Abstractions;

namespace Detect.Sample.Output;

/// <summary>
/// A packet's link type as Suricata's <c>packet_info</c> writes it (<c>EvePacket</c>): its datalink
/// value and that value's name from Suricata's table (<c>DatalinkTableInit</c>, libpcap's names
/// without <c>DLT_</c>), <c>n/a</c> for one the table does not name.
/// </summary>
internal static class Datalinks
{
    /// <summary>DLT_RAW on Linux, which libpcap and af-packet give for raw IP whatever the file says (LINKTYPE_RAW 101, or 12, or 14).</summary>
    private const int RawIp = 12;

    /// <summary>The datalink value Suricata on Linux holds for a packet of <paramref name="linkType"/>.</summary>
    public static int Value(LinkType linkType) => linkType == LinkType.Raw ? RawIp : (int)linkType;

    /// <summary>Suricata's name of <paramref name="datalink"/>.</summary>
    public static string Name(int datalink) => datalink switch
    {
        0 => "NULL",
        1 => "EN10MB",
        9 => "PPP",
        RawIp => "RAW",
        101 => "RAW2",
        104 => "C_HDLC",
        113 => "LINUX_SLL",
        228 => "IPv4",
        229 => "IPv6",
        276 => "LINUX_SLL2",
        778 => "GRE_RAW",
        _ => "n/a",
    };
}
