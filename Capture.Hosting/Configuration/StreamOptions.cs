namespace Capture.Hosting.Configuration;

/// <summary>The parts of Suricata's <c>stream:</c> section this host uses.</summary>
public sealed class StreamOptions
{
    /// <summary>Bytes inspected per TCP direction (<c>stream.reassembly.depth</c>); 0 is unlimited. Default 1 MiB.</summary>
    public long ReassemblyDepth { get; set; } = 1L << 20;

    /// <summary>Bypass a flow when its reassembly depth is reached (<c>stream.bypass</c>). Default no.</summary>
    public bool Bypass { get; set; }

    /// <summary>Start TCP sessions on packets after the handshake (<c>stream.midstream</c>). Default no.</summary>
    public bool Midstream { get; set; }

    /// <summary>Track TCP sessions seen one way only (<c>stream.async-oneside</c>). Default no.</summary>
    public bool AsyncOneside { get; set; }

    /// <summary>The stream tracker sits inline (<c>stream.inline</c>): yes, no, or null for auto (inline in IPS mode). Default auto.</summary>
    public bool? Inline { get; set; }

    /// <summary>Inline, drop packets the stream tracker rejects (<c>stream.drop-invalid</c>). Default yes.</summary>
    public bool DropInvalid { get; set; } = true;

    /// <summary>Accept TCP timestamps off by one whatever the host (<c>stream.liberal-timestamps</c>). Default no.</summary>
    public bool LiberalTimestamps { get; set; }
}
