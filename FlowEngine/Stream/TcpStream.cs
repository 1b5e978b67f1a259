using System.Runtime.InteropServices;

namespace FlowEngine.Stream;

/// <summary>
/// One direction of a TCP session, named as in Suricata's TcpStream: what the sender has sent
/// (<see cref="NextSeq"/>), what the receiver acknowledged of it (<see cref="LastAck"/>), the window
/// the receiver advertised for it and the sender's timestamps. Sequence numbers compare modulo 2^32.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct TcpStream
{
    /// <summary>Initial sequence number (the SYN's).</summary>
    public uint Isn;

    /// <summary>The sequence number after the last byte (or FIN) the sender sent in order.</summary>
    public uint NextSeq;

    /// <summary>The highest ACK the receiver sent for this direction.</summary>
    public uint LastAck;

    /// <summary>The right edge of the window: <see cref="LastAck"/> plus the receiver's window.</summary>
    public uint NextWin;

    /// <summary>The window the receiver advertised for this direction, scaled.</summary>
    public uint Window;

    /// <summary>The sender's last valid timestamp value (TSval).</summary>
    public uint LastTs;

    /// <summary>Capture time, whole seconds, of the sender's packet that carried <see cref="LastTs"/>.</summary>
    public uint LastPacketTs;

    /// <summary>The window scale the receiver of this direction's ACKs announced (applied to the sender's windows).</summary>
    public byte WindowScale;

    /// <summary>Bits.</summary>
    public TcpStreamFlags Flags;

    /// <summary>The policy of this direction's sending host (<c>host-os-policy</c>); it decides when the host is the receiver.</summary>
    public OsPolicy OsPolicy;
}
