namespace FlowEngine.Configuration;

/// <summary>The TCP stream tracker's settings (Suricata's <c>stream:</c> section). Defaults are Suricata's.</summary>
public sealed class TcpStreamOptions
{
    /// <summary>Start sessions on packets after the handshake (<c>stream.midstream</c>). Default false.</summary>
    public bool Midstream { get; set; }

    /// <summary>Track sessions seen one way only (<c>stream.async-oneside</c>). Default false.</summary>
    public bool AsyncOneside { get; set; }

    /// <summary>Bytes of each direction reassembled (<c>stream.reassembly.depth</c>); 0 is unlimited. Default 1 MiB.</summary>
    public long ReassemblyDepth { get; set; } = 1L << 20;

    /// <summary>The tracker sits inline (<c>stream.inline</c>, with auto resolved: yes in IPS mode). Default false.</summary>
    public bool Inline { get; set; }

    /// <summary>Inline, drop packets the tracker finds invalid (<c>stream.drop-invalid</c>). Default true.</summary>
    public bool DropInvalid { get; set; } = true;

    /// <summary>Accept timestamps off by one, as Linux does, whatever the host (<c>stream.liberal-timestamps</c>). Default false.</summary>
    public bool LiberalTimestamps { get; set; }

    /// <summary>The hosts' TCP stack policies (<c>host-os-policy</c>); a host in none is BSD, Suricata's default.</summary>
    public IList<HostOsPolicy> HostOsPolicies { get; } = [];
}
