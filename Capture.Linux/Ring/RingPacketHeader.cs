namespace Capture.Linux.Ring;

/// <summary>The fields of a tpacket2_hdr or tpacket3_hdr that make a packet record (their offsets differ).</summary>
internal readonly record struct RingPacketHeader(
    uint Status,
    uint Length,
    uint CaptureLength,
    ushort MacOffset,
    uint Seconds,
    uint Nanoseconds,
    ushort VlanTci,
    ushort VlanTpid);
