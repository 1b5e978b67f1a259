using System.Runtime.InteropServices;

namespace Capture.Abstractions;

/// <summary>
/// One packet of a <see cref="CaptureBatch"/>: where its bytes are in the batch buffer and what
/// the capture knows about it. 32 bytes, no references, so batches hold arrays of them.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct PacketRecord
{
    /// <summary>Capture time, nanoseconds since the Unix epoch.</summary>
    public long TimestampNanoseconds;

    /// <summary>Offset of the first byte in <see cref="CaptureBatch.Buffer"/>.</summary>
    public int Offset;

    /// <summary>Bytes captured (present in the buffer).</summary>
    public int CaptureLength;

    /// <summary>Bytes the packet had on the wire.</summary>
    public int OriginalLength;

    /// <summary>How to decode the first byte.</summary>
    public LinkType LinkType;

    /// <summary>A VLAN tag removed by the capture, valid with <see cref="PacketFlags.VlanTciValid"/>.</summary>
    public ushort VlanTci;

    /// <summary>Facts from outside the packet bytes.</summary>
    public PacketFlags Flags;

    /// <summary>Index of the capturing interface within the source (pcapng interface id; 0 otherwise).</summary>
    public ushort InterfaceId;

    /// <summary>
    /// The packet's 1-based place in the order a file source read its records, counted across the
    /// files of a directory (Suricata's <c>pcap_cnt</c>); 0 when the source does not number its
    /// packets (live captures) or past 4,294,967,295 records. It fills what was padding.
    /// </summary>
    public uint PacketNumber;
}
