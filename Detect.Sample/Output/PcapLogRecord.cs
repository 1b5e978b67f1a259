using System.Runtime.InteropServices;

namespace Detect.Sample.Output;

/// <summary>The header of one packet in a <see cref="PcapLogChunk"/>; the captured bytes follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PcapLogRecord
{
    /// <summary>The header's size; records start at multiples of 8.</summary>
    public const int Size = 24;

    /// <summary>Capture time, nanoseconds since the Unix epoch.</summary>
    public long TimestampNanoseconds;

    /// <summary>Bytes that follow the header.</summary>
    public int CaptureLength;

    /// <summary>Bytes the packet had on the wire.</summary>
    public int OriginalLength;

    /// <summary>The packet's link type (pcap LINKTYPE_ number).</summary>
    public ushort LinkType;

    /// <summary>Non-zero when the packet starts the next file of the sequence.</summary>
    public ushort StartsFile;

    private readonly int _reserved;

    /// <summary>The space a record of <paramref name="captureLength"/> bytes takes in a chunk.</summary>
    public static int Footprint(int captureLength) => (Size + captureLength + 7) & ~7;
}
