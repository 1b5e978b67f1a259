namespace Detect.Sample.Detection.Firewall;

/// <summary>The phases of a TCP session the <c>tcp.session</c> keyword tests (a packet is in one or two of them).</summary>
[Flags]
internal enum TcpSessionPhases : byte
{
    None = 0,

    /// <summary><c>setup</c>: the handshake is not complete (Suricata: the packet is not flagged established).</summary>
    Setup = 1,

    /// <summary><c>established</c>: the handshake completed, closing included (the flag stays on to the end).</summary>
    Established = 2,

    /// <summary><c>closing</c>: a FIN was seen and the session is not closed yet (FIN_WAIT*, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT).</summary>
    Closing = 4,
}
