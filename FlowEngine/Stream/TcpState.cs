namespace FlowEngine.Stream;

/// <summary>A TCP session's state, as Suricata's stream engine keeps it (same order: later states compare greater).</summary>
public enum TcpState : byte
{
    /// <summary>No session: the flow's first packet started none (a midstream packet with pick-up off, a RST, a FIN).</summary>
    None = 0,
    SynSent,
    SynRecv,
    Established,
    FinWait1,
    FinWait2,
    TimeWait,
    LastAck,
    CloseWait,
    Closing,
    Closed,
}
