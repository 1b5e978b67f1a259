namespace Detect.Sample.Detection.Firewall;

/// <summary>What the firewall and <c>tcp.session</c> remember of a flow (held by the flow's detection state, which creates it on first use).</summary>
internal struct FirewallFlowState
{
    /// <summary>An <c>accept:flow</c> matched: the rest of the flow is accepted without inspection.</summary>
    public bool AcceptedFlow;

    /// <summary>The flow's drop (<see cref="DetectionFlowState.Dropped"/>) came from a firewall rule or policy.</summary>
    public bool DroppedByFirewall;

    /// <summary>A packet to the server / to the client was seen (the <c>flow_start</c> hook is each direction's first).</summary>
    public bool SeenToServer;
    public bool SeenToClient;

    /// <summary>The TCP handshake had completed before the current packet (Suricata's established flag).</summary>
    public bool Established;

    /// <summary>FINs seen each way, and the session closed (RST, or the ACK after both FINs).</summary>
    public bool FinToServer;
    public bool FinToClient;
    public bool Closed;

    /// <summary>A drop record was written for this direction (<c>flows: start</c> writes the first only).</summary>
    public bool DropLoggedToServer;
    public bool DropLoggedToClient;

    /// <summary>The HTTP/1 transactions each way, and how far the firewall accepted the current one (-1: not yet; int.MaxValue: accept:tx).</summary>
    public HttpHookProgress RequestProgress;
    public HttpHookProgress ResponseProgress;
    public int RequestAcceptedTo;
    public int ResponseAcceptedTo;
    public int RequestAcceptedTransaction;
    public int ResponseAcceptedTransaction;

    /// <summary>
    /// The packet's <c>tcp.session</c> phases, after the packet updated the session (as Suricata's
    /// stream engine runs before detection); <paramref name="flowEstablished"/> is the flow's state now.
    /// </summary>
    public TcpSessionPhases TcpPhases(int tcpFlags, bool toServer, bool flowEstablished)
    {
        const int Fin = 0x01, Rst = 0x04, Ack = 0x10;
        bool finsBefore = FinToServer && FinToClient;
        if ((tcpFlags & Rst) != 0 || (finsBefore && (tcpFlags & (Ack | Fin)) == Ack))
        {
            Closed = true;
        }

        if ((tcpFlags & Fin) != 0 && toServer)
        {
            FinToServer = true;
        }
        else if ((tcpFlags & Fin) != 0)
        {
            FinToClient = true;
        }

        TcpSessionPhases phases = TcpSessionKeyword.Of(Established, (FinToServer || FinToClient) && !Closed);
        Established |= flowEstablished;
        return phases;
    }
}
