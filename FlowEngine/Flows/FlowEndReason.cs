namespace FlowEngine.Flows;

/// <summary>Why a flow ended, as EVE's <c>flow.reason</c> writes it.</summary>
public enum FlowEndReason : byte
{
    /// <summary><c>"timeout"</c>: idle for its state's timeout (or the capture saw no packet of a capture-bypassed flow).</summary>
    Timeout = 0,

    /// <summary><c>"forced"</c>: evicted because the flow table was full.</summary>
    Forced = 1,

    /// <summary><c>"shutdown"</c>: the capture ended or the engine stopped.</summary>
    Shutdown = 2,

    /// <summary><c>"tcp_reuse"</c>: a new TCP session started on the flow's ports after its session was done (Suricata's TCP session reuse).</summary>
    TcpReuse = 3,
}
