namespace FlowEngine.Configuration;

/// <summary>Timeouts of one protocol, seconds, for each flow state and their emergency variants.</summary>
/// <param name="New">A flow that has not seen both directions (TCP: no completed handshake).</param>
/// <param name="Established">A flow with traffic both ways.</param>
/// <param name="Closed">A TCP flow after FIN/RST.</param>
/// <param name="Bypassed">A bypassed flow; for capture bypass also the interval between liveness polls.</param>
/// <param name="EmergencyNew">New, in emergency mode.</param>
/// <param name="EmergencyEstablished">Established, in emergency mode.</param>
/// <param name="EmergencyClosed">Closed, in emergency mode.</param>
/// <param name="EmergencyBypassed">Bypassed, in emergency mode.</param>
public sealed record FlowTimeouts(
    int New,
    int Established,
    int Closed,
    int Bypassed,
    int EmergencyNew,
    int EmergencyEstablished,
    int EmergencyClosed,
    int EmergencyBypassed);
