using Capture.Abstractions;

namespace Capture.Libpcap.Sources;

/// <summary>
/// libpcap's link types on a live handle are DLT_ numbers (<c>pcap_datalink</c>); they equal the
/// LINKTYPE_ numbers the decoder speaks except for raw IP, which Linux calls DLT_RAW 12.
/// </summary>
internal static class DataLinkTypes
{
    private const int DltRawLinux = 12;
    private const int DltRawBsd = 14;

    /// <summary>The decoder's link type for a handle's DLT, or false when the decoder does not decode it.</summary>
    /// <param name="dlt">What <c>pcap_datalink</c> said.</param>
    /// <param name="linkType">The link type records carry.</param>
    /// <returns>Whether packets of this handle can be decoded.</returns>
    public static bool TryMap(int dlt, out LinkType linkType)
    {
        linkType = dlt switch
        {
            DltRawLinux or DltRawBsd => LinkType.Raw,
            _ => (LinkType)dlt,
        };
        return dlt is DltRawLinux or DltRawBsd
            || linkType is LinkType.Null or LinkType.Ethernet or LinkType.Raw or LinkType.Loop or LinkType.LinuxSll
                or LinkType.IPv4 or LinkType.IPv6 or LinkType.LinuxSll2;
    }
}
