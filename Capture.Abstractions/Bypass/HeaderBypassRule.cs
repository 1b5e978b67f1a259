using System.Net;

namespace Capture.Abstractions;

/// <summary>
/// A <c>bypass</c> rule whose match the packet headers alone decide (protocol, addresses, ports,
/// direction), as plain data: a capture that can test it below user space bypasses the flow at its
/// first matching packet itself (and still delivers that packet), instead of waiting for the
/// engine's <see cref="IBypassStrategy.TryBypass"/>. Empty lists mean any. The host hands these
/// over in <see cref="CaptureSourceRequest.HeaderBypassRules"/> and, when rules change, through
/// <see cref="IHeaderRuleBypass"/>.
/// </summary>
public sealed class HeaderBypassRule
{
    /// <summary>The rule's sid (logs, and the mark on the entries the capture makes).</summary>
    public required long Sid { get; init; }

    /// <summary>IP protocol number: 6 (TCP), 17 (UDP), or 0 for any protocol.</summary>
    public required byte Protocol { get; init; }

    /// <summary>4 or 6 to hold the rule to one IP version (<c>ipv4</c>/<c>ipv6</c> rules), 0 for both.</summary>
    public int IpVersion { get; init; }

    /// <summary>Source prefixes; empty: any.</summary>
    public IReadOnlyList<IPNetwork> Sources { get; init; } = [];

    /// <summary>Source ports; empty: any.</summary>
    public IReadOnlyList<PortRange> SourcePorts { get; init; } = [];

    /// <summary>Destination prefixes; empty: any.</summary>
    public IReadOnlyList<IPNetwork> Destinations { get; init; } = [];

    /// <summary>Destination ports; empty: any.</summary>
    public IReadOnlyList<PortRange> DestinationPorts { get; init; } = [];

    /// <summary>The rule's <c>&lt;&gt;</c>: it also matches with source and destination swapped.</summary>
    public bool Bidirectional { get; init; }
}
