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

    /// <summary>The most VXLAN ports the decoder (and a bypass filter) takes, as Suricata.</summary>
    public const int MaxVxlanPorts = 4;

    // The ports in four fields, unused ones -1, so the per-packet check is four compares.
    private int _vxlan0 = 4789;
    private int _vxlan1 = -1;
    private int _vxlan2 = -1;
    private int _vxlan3 = -1;
    private IReadOnlyList<int> _vxlanPorts = [4789];

    /// <summary>
    /// Decode VXLAN on these UDP destination ports, up to <see cref="MaxVxlanPorts"/>; empty
    /// disables (<c>decoder.vxlan.ports</c>, <c>decoder.vxlan.enabled</c>). Default 4789.
    /// </summary>
    public IReadOnlyList<int> VxlanPorts
    {
        get => _vxlanPorts;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count > MaxVxlanPorts || value.Any(p => p is < 1 or > 65535))
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"VXLAN ports [{string.Join(", ", value)}]: expected up to {MaxVxlanPorts} UDP ports 1..65535");
            }

            _vxlanPorts = [.. value];
            _vxlan0 = value.Count > 0 ? value[0] : -1;
            _vxlan1 = value.Count > 1 ? value[1] : -1;
            _vxlan2 = value.Count > 2 ? value[2] : -1;
            _vxlan3 = value.Count > 3 ? value[3] : -1;
        }
    }

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

    /// <summary>Whether a UDP datagram to <paramref name="port"/> is decoded as VXLAN.</summary>
    internal bool IsVxlanPort(int port) => port == _vxlan0 || port == _vxlan1 || port == _vxlan2 || port == _vxlan3;
}
