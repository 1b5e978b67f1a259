using Capture.Abstractions;

namespace Capture.Linux.Ring;

/// <summary>
/// Everything one packet socket of an interface needs (a TPACKET_V3 ring of blocks, or a TPACKET_V2
/// ring of frames), already validated. Shared by the
/// fanout sockets of an interface; reused by other live plugins built on these rings.
/// </summary>
internal sealed record PacketRingOptions
{
    /// <summary>The interface to bind to (looked up by name at every (re)open).</summary>
    public required string InterfaceName { get; init; }

    /// <summary>
    /// TPACKET_V2: a ring of frames, each handed to user space as soon as the kernel wrote it
    /// (no block to fill or time out); else TPACKET_V3 blocks.
    /// </summary>
    public bool FrameRing { get; init; }

    /// <summary>Bytes per ring block: a multiple of the page size.</summary>
    public required int BlockSize { get; init; }

    /// <summary>Blocks in the ring.</summary>
    public required int BlockCount { get; init; }

    /// <summary>Frame size: with V3 nominal (packets take what they need), with V2 each packet's slot.</summary>
    public int FrameSize { get; init; } = 2048;

    /// <summary>Retire a partly filled block after this many milliseconds.</summary>
    public int BlockTimeoutMilliseconds { get; init; } = 10;

    /// <summary>Map the ring with MAP_LOCKED.</summary>
    public bool MmapLocked { get; init; }

    /// <summary>Join a fanout group (several sockets share the interface's packets).</summary>
    public bool Fanout { get; init; }

    /// <summary>The fanout group id.</summary>
    public ushort ClusterId { get; init; }

    /// <summary>How the group spreads packets.</summary>
    public FanoutMode FanoutMode { get; init; } = FanoutMode.Hash;

    /// <summary>PACKET_FANOUT_FLAG_DEFRAG: reassemble IP fragments before hashing.</summary>
    public bool Defrag { get; init; }

    /// <summary>Put the interface in promiscuous mode (per socket membership; undone on close).</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>SO_RCVBUF in bytes; 0 keeps the kernel default.</summary>
    public int ReceiveBufferSize { get; init; }

    /// <summary>Hand blocks flagged TP_STATUS_LOSING back without delivering them.</summary>
    public bool EmergencyFlush { get; init; }

    /// <summary>How packets' checksums are to be judged.</summary>
    public ChecksumMode Checksums { get; init; } = ChecksumMode.Kernel;

    /// <summary>A compiled classic BPF socket filter (8-byte sock_filter instructions), or null.</summary>
    public byte[]? SocketFilter { get; init; }

    /// <summary>Frames in the ring (whole blocks of whole frames).</summary>
    public int FrameCount => BlockSize / FrameSize * BlockCount;

    /// <summary>Bytes of the ring.</summary>
    public long RingBytes => (long)BlockSize * BlockCount;
}
