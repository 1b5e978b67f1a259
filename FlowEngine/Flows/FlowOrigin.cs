using System.Runtime.InteropServices;

namespace FlowEngine.Flows;

/// <summary>The cold part of a flow record: set when the flow is created, read when it ends.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FlowOrigin
{
    /// <summary>MAC address of the client (the first packet's sender, as the EVE <c>ether</c> object shows it).</summary>
    public ulong ClientMac;

    /// <summary>MAC address of the server.</summary>
    public ulong ServerMac;

    /// <summary>Flow id of the tunnel flow that carries this one; 0 on the wire.</summary>
    public long TunnelParentFlowId;
}
