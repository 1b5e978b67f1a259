using System.Runtime.InteropServices;

namespace FlowEngine.Flows;

/// <summary>
/// The warm part of a flow record, one cache line: what every packet updates (counters, TCP
/// flags) and what detection and the flow's end read. What only creation writes and only the end
/// reads is in <see cref="FlowOrigin"/>, so a packet touches two lines of its flow, not three.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct FlowRecord
{
    public long StartNanoseconds;
    public long FlowId;
    public long PacketsToServer;
    public long PacketsToClient;
    public long BytesToServer;
    public long BytesToClient;
    public byte TcpFlagsToServer;
    public byte TcpFlagsToClient;

    // ICMP type and code of the first packet each way (EVE icmp_type/code, response_icmp_type/code).
    public byte IcmpTypeToServer;
    public byte IcmpCodeToServer;
    public byte IcmpTypeToClient;
    public byte IcmpCodeToClient;

    // Set by detection through FlowView (an inspector's own protocol code, 0 for none; a pass rule matched); read at the flow's end.
    public byte AppProtocol;
    public bool Passed;
    public bool Dropped;
    public bool Accepted;
    public byte ExceptionPolicy;

    // VLAN tags of the flow's first packet, priority tags (id 0) included: Suricata's f->vlan_idx, the length of its
    // flow record's vlan array; 0 when VLAN tracking is off. Only creation writes it, but this line has spare bytes
    // where FlowOrigin would grow by 8 per flow.
    public byte VlanCount;
}
