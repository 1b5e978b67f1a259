using Capture.Abstractions;

namespace Capture.Pcap.Files;

/// <summary>Link-type numbers as files write them, and the ones the engine decodes.</summary>
internal static class LinkTypes
{
    /// <summary>
    /// The LINKTYPE_ value of a file's link-type field: the upper bits (FCS length flags) are
    /// dropped as libpcap does, and DLT_RAW's platform values (12, 14) written by old tools mean raw IP.
    /// </summary>
    /// <param name="value">The field.</param>
    /// <returns>The link type.</returns>
    public static uint Normalize(uint value)
    {
        uint linkType = value & 0x03FF_FFFF;
        return linkType is 12 or 14 ? (uint)LinkType.Raw : linkType;
    }

    /// <summary>Whether packets of this link type are delivered (the engine decodes them).</summary>
    /// <param name="linkType">A normalised link type.</param>
    /// <returns>True when supported.</returns>
    public static bool IsSupported(uint linkType) => linkType switch
    {
        (uint)LinkType.Null or (uint)LinkType.Ethernet or (uint)LinkType.Raw or (uint)LinkType.Loop
            or (uint)LinkType.LinuxSll or (uint)LinkType.IPv4 or (uint)LinkType.IPv6 or (uint)LinkType.LinuxSll2
            or (uint)LinkType.CiscoHdlc => true,
        _ => false,
    };
}
