using System.Runtime.InteropServices;

namespace Capture.Libpcap.Sources;

/// <summary>
/// libpcap's <c>struct pcap_pkthdr</c> on 64-bit Linux (a <c>struct timeval</c> of two longs, then
/// the captured and original lengths), read in place from the pointer <c>pcap_next_ex</c> returns
/// so that no managed header object is made per packet.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct PcapPacketHeader
{
    /// <summary>Seconds since the Unix epoch.</summary>
    public readonly nint Seconds;

    /// <summary>Micro- or nanoseconds, as the handle's timestamp precision says.</summary>
    public readonly nint Fraction;

    /// <summary>Bytes captured.</summary>
    public readonly uint CaptureLength;

    /// <summary>Bytes on the wire.</summary>
    public readonly uint OriginalLength;
}
