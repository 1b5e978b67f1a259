namespace FlowEngine.Stream;

/// <summary>Bits of one direction of a TCP session (Suricata's STREAMTCP_STREAM_FLAG_*).</summary>
[Flags]
internal enum TcpStreamFlags : byte
{
    None = 0,

    /// <summary>The sender's SYN carried the timestamp option.</summary>
    Timestamp = 1,

    /// <summary>The sender used 0 as its timestamp in the handshake.</summary>
    ZeroTimestamp = 2,

    /// <summary>This side received a RST (set on the receiver).</summary>
    RstReceived = 4,

    /// <summary>The sender's data went past <c>stream.reassembly.depth</c>.</summary>
    DepthReached = 8,

    /// <summary>No more of the sender's data is reassembled (depth reached).</summary>
    NoReassembly = 16,

    /// <summary>The last packet of the sender was a keep-alive.</summary>
    KeepAlive = 32,
}
