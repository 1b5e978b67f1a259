namespace CapturePlugin1;

/// <summary>One record header of a classic pcap file, in host byte order.</summary>
/// <param name="TimestampNanoseconds">Capture time, nanoseconds since the Unix epoch.</param>
/// <param name="CaptureLength">Bytes of the packet in the file.</param>
/// <param name="OriginalLength">Bytes of the packet on the wire.</param>
internal readonly record struct PcapRecordHeader(long TimestampNanoseconds, int CaptureLength, int OriginalLength);
