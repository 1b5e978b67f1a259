namespace Capture.Abstractions;

/// <summary>What a bypass strategy has done so far.</summary>
/// <param name="IPv4">IPv4 inserts.</param>
/// <param name="IPv6">IPv6 inserts.</param>
/// <param name="Packets">Packets dropped below user space for bypassed flows, as far as folded so far.</param>
/// <param name="Bytes">Bytes dropped below user space for bypassed flows, as far as folded so far.</param>
public readonly record struct BypassStatistics(BypassFamilyStatistics IPv4, BypassFamilyStatistics IPv6, long Packets, long Bytes)
{
    /// <summary>
    /// How long bypasses took to bite: from the triggering packet's capture time to the first packet
    /// the capture dropped for the flow. Empty for a strategy that cannot tell.
    /// </summary>
    public BypassLatency Latency { get; init; }
}
