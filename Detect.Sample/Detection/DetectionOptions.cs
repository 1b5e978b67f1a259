namespace Detect.Sample.Detection;

/// <summary>What detection does besides rules: stream-depth and TLS encrypted-traffic bypass.</summary>
internal sealed record DetectionOptions
{
    /// <summary><c>stream.bypass</c>: bypass a TCP flow once a direction reaches the depth.</summary>
    public bool StreamBypass { get; init; }

    /// <summary><c>stream.reassembly.depth</c>, bytes per direction; 0 is unlimited. Suricata's default is 1 MiB.</summary>
    public long StreamDepth { get; init; } = 1L << 20;

    /// <summary><c>app-layer.protocols.tls.encryption-handling: bypass</c>.</summary>
    public bool TlsBypass { get; init; }

    /// <summary><c>--simulate-ips</c>: drop and reject rules drop the packet and the rest of its flow.</summary>
    public bool SimulateIps { get; init; }

    /// <summary>Firewall mode (<c>firewall: true</c>, <c>--firewall</c>, <c>--firewall-rules-exclusive</c>): the firewall rules run first, and what they do not accept is dropped.</summary>
    public bool Firewall { get; init; }

    /// <summary>What happens to a TCP flow picked up without its SYN (<see cref="ExceptionPolicies.ResolveMidstream"/>).</summary>
    public ExceptionPolicy MidstreamPolicy { get; init; } = ExceptionPolicy.Ignore;
}
