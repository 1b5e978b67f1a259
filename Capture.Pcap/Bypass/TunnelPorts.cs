namespace Capture.Pcap.Bypass;

/// <summary>
/// The UDP ports on which the parser follows VXLAN and Geneve: the host decoder's
/// (<c>decoder.vxlan.ports</c>, <c>decoder.geneve.ports</c>), so the flows the capture keys are the flows the host tracks.
/// </summary>
internal sealed class TunnelPorts
{
    /// <summary>Creates the set.</summary>
    /// <param name="vxlan">VXLAN's UDP destination ports (none: VXLAN not followed).</param>
    /// <param name="geneve">Geneve's UDP destination port (0: not followed).</param>
    public TunnelPorts(IReadOnlyList<int> vxlan, int geneve)
    {
        // A loop, not LINQ's Select: its iterator over these value types was JIT compiled at every start.
        Vxlan = new ushort[vxlan.Count];
        for (int i = 0; i < Vxlan.Length; i++)
        {
            Vxlan[i] = checked((ushort)vxlan[i]);
        }

        Geneve = checked((ushort)geneve);
    }

    /// <summary>The decoder's defaults: VXLAN on 4789, Geneve on 6081.</summary>
    public static TunnelPorts Default { get; } = new([.. OuterHeaderParser.DefaultVxlanPorts.ToArray().Select(p => (int)p)], OuterHeaderParser.DefaultGenevePort);

    /// <summary>VXLAN's UDP destination ports.</summary>
    public ushort[] Vxlan { get; }

    /// <summary>Geneve's UDP destination port, 0 for none.</summary>
    public ushort Geneve { get; }
}
