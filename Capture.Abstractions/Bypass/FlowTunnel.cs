namespace Capture.Abstractions;

/// <summary>
/// The tunnel a flow was found in: its kind, its id (VNI, GRE key or ERSPAN session), and the
/// outer packet's addresses as the packet that asked for the bypass carried them. Default (kind
/// <see cref="TunnelKind.None"/>) for a flow on the wire.
/// </summary>
/// <param name="Kind">The tunnel protocol.</param>
/// <param name="Id">VXLAN/Geneve VNI (24 bits), GRE key, ERSPAN session id (10 bits); 0 when the tunnel has none.</param>
/// <param name="OuterIsIPv6">Address family of the outer packet.</param>
/// <param name="OuterSource">The outer packet's source address.</param>
/// <param name="OuterDestination">The outer packet's destination address.</param>
public readonly record struct FlowTunnel(
    TunnelKind Kind,
    uint Id,
    bool OuterIsIPv6,
    FlowAddress OuterSource,
    FlowAddress OuterDestination);
