namespace Capture.Hosting.Configuration;

/// <summary>The parts of Suricata's <c>stream:</c> section this host uses.</summary>
public sealed class StreamOptions
{
    /// <summary>Bytes inspected per TCP direction (<c>stream.reassembly.depth</c>); 0 is unlimited. Default 1 MiB.</summary>
    public long ReassemblyDepth { get; set; } = 1L << 20;

    /// <summary>Bypass a flow when its reassembly depth is reached (<c>stream.bypass</c>). Default no.</summary>
    public bool Bypass { get; set; }
}
