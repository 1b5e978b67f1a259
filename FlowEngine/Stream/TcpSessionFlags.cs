namespace FlowEngine.Stream;

/// <summary>Bits of a TCP session (Suricata's STREAMTCP_FLAG_*).</summary>
[Flags]
internal enum TcpSessionFlags : ushort
{
    None = 0,

    /// <summary>Picked up without its handshake (<c>stream.midstream</c>).</summary>
    Midstream = 1,

    /// <summary>Picked up midstream on an ACK: the server's window is learnt from its first packet.</summary>
    MidstreamEstablished = 2,

    /// <summary>Picked up midstream on a SYN/ACK.</summary>
    MidstreamSynAck = 4,

    /// <summary>Both sides use the timestamp option: every packet's is checked (PAWS).</summary>
    Timestamp = 8,

    /// <summary>The server sent the window scale option (in the SYN's direction).</summary>
    ServerWindowScale = 16,

    /// <summary>The client's SYN permitted SACK.</summary>
    ClientSackOk = 32,

    /// <summary>SACK permitted both ways.</summary>
    SackOk = 64,

    /// <summary>Only one side of the session is seen (<c>stream.async-oneside</c>).</summary>
    Async = 128,

    /// <summary>The server answered in the established state: the handshake is confirmed.</summary>
    HandshakeConfirmed = 256,

    /// <summary>TCP Fast Open: the SYN carried a cookie (and maybe data).</summary>
    FastOpen = 512,

    /// <summary>The server acknowledged a TFO SYN without its data.</summary>
    FastOpenDataIgnored = 1024,

    /// <summary>The session was closed by a RST.</summary>
    ClosedByRst = 2048,

    /// <summary>A right sequence number with a wrong ACK during the handshake (an evasion attempt).</summary>
    DetectionEvasionAttempt = 4096,

    /// <summary>The SYN went unanswered and the other side sent a SYN of its own (a four-way handshake).</summary>
    FourWayHandshake = 8192,

    /// <summary>The client sent a zero window probe; the server's ACK of its byte is accepted.</summary>
    ZeroWindowProbeToServer = 16384,

    /// <summary>The server sent a zero window probe.</summary>
    ZeroWindowProbeToClient = 32768,
}
