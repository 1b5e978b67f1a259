namespace Capture.Abstractions;

/// <summary>The tunnel a flow travels in, as a bypass strategy keys it (the values are those of the XDP map ABI, docs/XDP.md).</summary>
public enum TunnelKind : byte
{
    /// <summary>A flow on the wire.</summary>
    None = 0,

    /// <summary>VXLAN (UDP, by default port 4789); the identity's id is the VNI.</summary>
    Vxlan = 1,

    /// <summary>Geneve (UDP port 6081); the id is the VNI.</summary>
    Geneve = 2,

    /// <summary>GRE version 0 carrying IP or Ethernet (transparent bridging); the id is the GRE key, 0 without one.</summary>
    Gre = 3,

    /// <summary>ERSPAN type I, II or III over GRE; the id is the session id (0 for type I).</summary>
    Erspan = 4,

    /// <summary>Another tunnel (IP-in-IP, Teredo, PPP over GRE, WCCP, ...), or one deeper than the first.</summary>
    Other = 255,
}
