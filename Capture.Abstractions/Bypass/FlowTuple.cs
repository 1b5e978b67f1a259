namespace Capture.Abstractions;

/// <summary>
/// What a bypass strategy needs to know of a flow to match its packets below user space:
/// addresses, ports, protocol and VLAN ids, in the flow's own orientation — Source is the side
/// that opened the flow ("to server" is Source → Destination), whatever packet triggered the bypass.
/// </summary>
/// <param name="IsIPv6">Address family.</param>
/// <param name="Source">The client side's address.</param>
/// <param name="Destination">The server side's address.</param>
/// <param name="SourcePort">The client side's port (host byte order); 0 for protocols without ports.</param>
/// <param name="DestinationPort">The server side's port (host byte order).</param>
/// <param name="Protocol">IP protocol number (6 TCP, 17 UDP, ...).</param>
/// <param name="Vlan0">Outermost VLAN id (12 bits), 0 when untagged.</param>
/// <param name="Vlan1">Second VLAN id, 0 when absent.</param>
/// <param name="Vlan2">Third VLAN id, 0 when absent.</param>
/// <param name="TunnelDepth">0 for a flow on the wire; more for a flow inside tunnels (see <see cref="Tunnel"/>).</param>
public readonly record struct FlowTuple(
    bool IsIPv6,
    FlowAddress Source,
    FlowAddress Destination,
    ushort SourcePort,
    ushort DestinationPort,
    byte Protocol,
    ushort Vlan0,
    ushort Vlan1,
    ushort Vlan2,
    byte TunnelDepth)
{
    /// <summary>
    /// The tunnel the flow was found in (for a flow one tunnel deep), as the packet that asked for
    /// the bypass carried it; default when the flow is on the wire or the engine did not say.
    /// A kernel filter keys an inner flow with it, so that bypassing one inner flow drops only it.
    /// </summary>
    public FlowTunnel Tunnel { get; init; }

    /// <summary>The same flow seen from the other side.</summary>
    /// <returns>Source and destination swapped.</returns>
    public FlowTuple Reverse() => this with
    {
        Source = Destination,
        Destination = Source,
        SourcePort = DestinationPort,
        DestinationPort = SourcePort,
    };
}
