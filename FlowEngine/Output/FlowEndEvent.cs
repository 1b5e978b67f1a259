using Capture.Abstractions;
using FlowEngine.Flows;

namespace FlowEngine.Output;

/// <summary>
/// The final record of a flow: what an EVE <c>flow</c> event writes. Totals include the packets
/// the capture dropped for a capture-bypassed flow (as Suricata's <c>pkts_toserver</c> does);
/// the capture's share alone is in the <c>Bypassed*</c> members (EVE's <c>bypassed{}</c> object).
/// Directions are the flow's own: to server is client → server, whatever packet triggered a bypass.
/// </summary>
public readonly record struct FlowEndEvent
{
    /// <summary>EVE <c>flow_id</c>: unique per run, never 0.</summary>
    public required long FlowId { get; init; }

    /// <summary>Addresses, ports, protocol, VLAN ids and tunnel depth, client first.</summary>
    public required FlowTuple Tuple { get; init; }

    /// <summary>How many VLAN tags the flow's first packet had, priority tags (id 0) included: the ids in <see cref="FlowTuple.Vlan0"/>.. (EVE's <c>vlan</c> array length, as Suricata's <c>f->vlan_idx</c>; 0 when untagged or when VLAN tracking is off).</summary>
    public required int VlanCount { get; init; }

    /// <summary>The capture interface (EVE <c>in_iface</c>).</summary>
    public required string InterfaceName { get; init; }

    /// <summary>First packet, nanoseconds since the Unix epoch (EVE <c>flow.start</c>).</summary>
    public required long StartNanoseconds { get; init; }

    /// <summary>Last packet (or last liveness answer of the capture), nanoseconds since the Unix epoch (EVE <c>flow.end</c>).</summary>
    public required long EndNanoseconds { get; init; }

    /// <summary>Packets client → server: the engine's own plus the capture's.</summary>
    public required long PacketsToServer { get; init; }

    /// <summary>Packets server → client: the engine's own plus the capture's.</summary>
    public required long PacketsToClient { get; init; }

    /// <summary>Bytes client → server: the engine's own plus the capture's.</summary>
    public required long BytesToServer { get; init; }

    /// <summary>Bytes server → client: the engine's own plus the capture's.</summary>
    public required long BytesToClient { get; init; }

    /// <summary>Packets client → server dropped by the capture (EVE <c>bypassed.pkts_toserver</c>).</summary>
    public required long BypassedPacketsToServer { get; init; }

    /// <summary>Packets server → client dropped by the capture.</summary>
    public required long BypassedPacketsToClient { get; init; }

    /// <summary>Bytes client → server dropped by the capture.</summary>
    public required long BypassedBytesToServer { get; init; }

    /// <summary>Bytes server → client dropped by the capture.</summary>
    public required long BypassedBytesToClient { get; init; }

    /// <summary>The state the flow ended in.</summary>
    public required FlowState State { get; init; }

    /// <summary>Why it ended.</summary>
    public required FlowEndReason Reason { get; init; }

    /// <summary>How it was bypassed, if at all. A capture bypass later downgraded reports <see cref="BypassKind.Local"/>.</summary>
    public required BypassKind Bypass { get; init; }

    /// <summary>Whether a bypass accounting record exists (then EVE writes the <c>bypassed{}</c> object).</summary>
    public required bool HasBypassCounters { get; init; }

    /// <summary>TCP flags seen client → server (OR of all packets).</summary>
    public required byte TcpFlagsToServer { get; init; }

    /// <summary>TCP flags seen server → client.</summary>
    public required byte TcpFlagsToClient { get; init; }

    /// <summary>ICMP type of the first packet client → server (ICMP and ICMPv6 flows; EVE <c>icmp_type</c>).</summary>
    public byte IcmpTypeToServer { get; init; }

    /// <summary>ICMP code of the first packet client → server (EVE <c>icmp_code</c>).</summary>
    public byte IcmpCodeToServer { get; init; }

    /// <summary>ICMP type of the first packet server → client (EVE <c>response_icmp_type</c>, when one was seen).</summary>
    public byte IcmpTypeToClient { get; init; }

    /// <summary>ICMP code of the first packet server → client (EVE <c>response_icmp_code</c>).</summary>
    public byte IcmpCodeToClient { get; init; }

    /// <summary>The client's MAC address (low 48 bits) from the first packet; 0 when not Ethernet.</summary>
    public required ulong SourceMac { get; init; }

    /// <summary>The server's MAC address (low 48 bits); 0 when not Ethernet.</summary>
    public required ulong DestinationMac { get; init; }

    /// <summary>The flow of the tunnel that carried this flow (EVE <c>parent_id</c>); 0 for a flow on the wire.</summary>
    public required long TunnelParentFlowId { get; init; }

    /// <summary>Whether detection marked the flow as alerted.</summary>
    public required bool Alerted { get; init; }

    /// <summary>The application-layer protocol the inspector labelled the flow with (<see cref="Flows.FlowView.SetAppProtocol"/>); 0 for none.</summary>
    public byte AppProtocol { get; init; }

    /// <summary>A pass rule matched the flow (<see cref="Flows.FlowView.MarkPassed"/>).</summary>
    public bool Passed { get; init; }

    /// <summary>The flow was dropped inline (<see cref="Flows.FlowView.MarkDropped"/>).</summary>
    public bool Dropped { get; init; }

    /// <summary>A firewall accepted the flow (<see cref="Flows.FlowView.MarkAccepted"/>).</summary>
    public bool Accepted { get; init; }

    /// <summary>The exception policy applied to the flow (<see cref="Flows.FlowView.SetExceptionPolicy"/>); 0 for none.</summary>
    public byte ExceptionPolicy { get; init; }

    /// <summary>EVE <c>flow.state</c>: <c>new</c>, <c>established</c>, <c>closed</c> or <c>bypassed</c>.</summary>
    public string StateName => State switch
    {
        FlowState.New => "new",
        FlowState.Established => "established",
        FlowState.Closed => "closed",
        _ => "bypassed",
    };

    /// <summary>EVE <c>flow.reason</c>: <c>timeout</c>, <c>forced</c>, <c>tcp_reuse</c> or <c>shutdown</c>.</summary>
    public string ReasonName => Reason switch
    {
        FlowEndReason.Timeout => "timeout",
        FlowEndReason.Forced => "forced",
        FlowEndReason.TcpReuse => "tcp_reuse",
        _ => "shutdown",
    };

    /// <summary>EVE <c>flow.bypass</c>: <c>local</c>, <c>capture</c>, or null when not bypassed.</summary>
    public string? BypassName => Bypass switch
    {
        BypassKind.Local => "local",
        BypassKind.Capture => "capture",
        _ => null,
    };
}
