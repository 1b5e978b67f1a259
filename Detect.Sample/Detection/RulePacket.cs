using Detect.Sample.Detection.Firewall;
using FlowEngine.Flows;

namespace Detect.Sample.Detection;

/// <summary>What rules test of one packet besides its tuple and payload: its direction, its flow's state and header fields.</summary>
internal readonly record struct RulePacket
{
    /// <summary>The packet goes client → server.</summary>
    public bool ToServer { get; init; }

    /// <summary>An IP fragment, inspected as a packet of its own: no ports, so only rules whose ports are <c>any</c> match it.</summary>
    public bool Fragment { get; init; }

    /// <summary>The flow's state when the packet arrived.</summary>
    public FlowState FlowState { get; init; }

    /// <summary>IPv4 TTL or IPv6 hop limit; -1 when unknown.</summary>
    public int Ttl { get; init; }

    /// <summary>ICMP type; -1 for other protocols.</summary>
    public int IcmpType { get; init; }

    /// <summary>ICMP code; -1 for other protocols.</summary>
    public int IcmpCode { get; init; }

    /// <summary>ICMP echo identifier; -1 for other messages.</summary>
    public int IcmpId { get; init; }

    /// <summary>ICMP echo sequence number; -1 for other messages.</summary>
    public int IcmpSequence { get; init; }

    /// <summary>TCP flags; -1 for other protocols.</summary>
    public int TcpFlags { get; init; }

    /// <summary>TCP sequence number; -1 for other protocols.</summary>
    public long TcpSequence { get; init; }

    /// <summary>TCP acknowledgement number; -1 for other protocols.</summary>
    public long TcpAcknowledgement { get; init; }

    /// <summary>TCP: the session's phases for <c>tcp.session</c>; none for other protocols.</summary>
    public TcpSessionPhases TcpSession { get; init; }

    /// <summary>
    /// A TCP packet of a flow without a TCP session (picked up midstream with <c>stream.midstream</c>
    /// off): its payload belongs to no stream, so, as in Suricata, where only the stream feeds the
    /// application layer, no application-layer protocol is detected on it, and it counts towards no
    /// stream depth, TLS bypass, stream content or split HTTP head.
    /// </summary>
    public bool WithoutSession { get; init; }

    /// <summary>Offset of the innermost IP header in the captured packet; -1 when unknown.</summary>
    public int NetworkOffset { get; init; }

    /// <summary>Offset of the transport header; -1 when unknown.</summary>
    public int TransportOffset { get; init; }

    /// <summary>Offset of the transport payload; -1 when unknown.</summary>
    public int PayloadOffset { get; init; }

    /// <summary>A packet known only by its direction (no header fields).</summary>
    public static RulePacket Direction(bool toServer) => new()
    {
        ToServer = toServer,
        FlowState = FlowState.New,
        Ttl = -1,
        IcmpType = -1,
        IcmpCode = -1,
        IcmpId = -1,
        IcmpSequence = -1,
        TcpFlags = -1,
        TcpSequence = -1,
        TcpAcknowledgement = -1,
        NetworkOffset = -1,
        TransportOffset = -1,
        PayloadOffset = -1,
    };
}
