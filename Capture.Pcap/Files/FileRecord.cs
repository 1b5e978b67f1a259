namespace Capture.Pcap.Files;

/// <summary>One packet record of a capture file, as the file describes it.</summary>
internal struct FileRecord
{
    /// <summary>Capture time, nanoseconds since the Unix epoch.</summary>
    public long TimestampNanoseconds;

    /// <summary>Bytes in the file.</summary>
    public int CaptureLength;

    /// <summary>Bytes on the wire.</summary>
    public int OriginalLength;

    /// <summary>The link type (normalised, see <see cref="LinkTypes.Normalize"/>).</summary>
    public uint LinkType;

    /// <summary>The pcapng interface id (0 for classic pcap).</summary>
    public ushort InterfaceId;
}
