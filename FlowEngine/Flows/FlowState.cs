namespace FlowEngine.Flows;

/// <summary>The state of a flow, as Suricata's <c>flow.end.state.*</c> counters name them.</summary>
public enum FlowState : byte
{
    /// <summary>Traffic seen one way only (TCP: no completed handshake).</summary>
    New = 0,

    /// <summary>Traffic both ways (TCP: handshake completed, or both sides sent ACKs midstream).</summary>
    Established = 1,

    /// <summary>A TCP flow after a RST, or after FIN from both sides.</summary>
    Closed = 2,

    /// <summary>Detection asked for a bypass and the engine drops the flow's packets itself.</summary>
    LocalBypassed = 3,

    /// <summary>The capture (kernel, NIC, software filter) stopped delivering the flow.</summary>
    CaptureBypassed = 4,
}
