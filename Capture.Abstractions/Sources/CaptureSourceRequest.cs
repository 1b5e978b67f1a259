namespace Capture.Abstractions;

/// <summary>What the host asks a <see cref="ICaptureSourceFactory"/> to open.</summary>
public sealed class CaptureSourceRequest
{
    /// <summary>An interface name, or a capture file or directory. Null: the plugin's configured default (e.g. every interface of its YAML section).</summary>
    public string? Target { get; init; }

    /// <summary>The whole configuration tree; plugins read their own section.</summary>
    public required ConfigNode Configuration { get; init; }

    /// <summary>Checksum validation requested by the operator (<c>-k</c>).</summary>
    public ChecksumMode Checksums { get; init; } = ChecksumMode.Auto;

    /// <summary>
    /// UDP destination ports the host decodes as VXLAN (<c>decoder.vxlan.ports</c>; empty when VXLAN
    /// decoding is off). A source that keys flows inside tunnels itself, as a bypass filter does,
    /// follows the same ports, so that the flows it keys are the flows the host tracks.
    /// </summary>
    public IReadOnlyList<int> VxlanPorts { get; init; } = [4789];

    /// <summary>The UDP destination port the host decodes as Geneve (<c>decoder.geneve.ports</c>; 0 when off).</summary>
    public int GenevePort { get; init; } = 6081;

    /// <summary>
    /// The host's <c>bypass</c> rules that packet headers alone decide. A source whose bypass can
    /// test them itself (<see cref="IHeaderRuleBypass"/>) bypasses their flows at the first
    /// matching packet; others ignore them (the engine's bypass still applies). Empty by default.
    /// </summary>
    public IReadOnlyList<HeaderBypassRule> HeaderBypassRules { get; init; } = [];

    /// <summary>Services of the host (logging, time).</summary>
    public required IServiceProvider Services { get; init; }
}
