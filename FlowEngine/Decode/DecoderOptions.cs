namespace FlowEngine.Decode;

/// <summary>How far the packet decoder goes. Defaults decode everything Suricata 7 decodes by default.</summary>
public sealed class DecoderOptions
{
    /// <summary>
    /// Tunnels decoded inside one packet (GRE, VXLAN, Geneve, Teredo, IP-in-IP), at most
    /// <see cref="DecodedPacket.MaxLayers"/> - 1. Deeper tunnels count <c>decoder.too_many_layers</c>. Default 3.
    /// </summary>
    public int MaxTunnelDepth { get; set; } = DecodedPacket.MaxLayers - 1;

    /// <summary>
    /// Link-level headers (VLAN tags, MPLS labels, pseudowires, PPPoE, inner Ethernet) walked per
    /// packet before it counts as <c>decoder.too_many_layers</c>. Default 32.
    /// </summary>
    public int MaxLinkHeaders { get; set; } = 32;

    /// <summary>Decode VXLAN on this UDP destination port; 0 disables (<c>decoder.vxlan.ports</c>). Default 4789.</summary>
    public int VxlanPort { get; set; } = 4789;

    /// <summary>Decode Geneve on this UDP destination port; 0 disables (<c>decoder.geneve.ports</c>). Default 6081.</summary>
    public int GenevePort { get; set; } = 6081;

    /// <summary>Decode Teredo on this UDP port (either direction); 0 disables (<c>decoder.teredo.ports</c>). Default 3544.</summary>
    public int TeredoPort { get; set; } = 3544;

    /// <summary>Decode GRE, ERSPAN and IP-in-IP tunnels. Default true.</summary>
    public bool DecodeTunnels { get; set; } = true;

    /// <summary>
    /// Decode the common packet (Ethernet, at most one VLAN id, IPv4 or IPv6 without extension
    /// headers, not a fragment, TCP or UDP, nothing wrong with it) by the straight-line path;
    /// anything else takes the general walk. Both give the same result; off only to compare them.
    /// </summary>
    internal bool FastPath { get; set; } = true;
}
