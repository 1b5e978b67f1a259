using System.Runtime.InteropServices;

namespace FlowEngine.Flows;

/// <summary>The cold part of a flow record: counters and facts read at flow end and by detection.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FlowRecord
{
    public long StartNanoseconds;
    public long FlowId;
    public long PacketsToServer;
    public long PacketsToClient;
    public long BytesToServer;
    public long BytesToClient;
    public ulong ClientMac;
    public ulong ServerMac;
    public long TunnelParentFlowId;
    public byte TcpFlagsToServer;
    public byte TcpFlagsToClient;
    public BypassKind Bypass;
}
