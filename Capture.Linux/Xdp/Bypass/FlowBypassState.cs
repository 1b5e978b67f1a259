using Capture.Abstractions;

namespace Capture.Linux.Xdp.Bypass;

/// <summary>
/// What <see cref="EbpfBypassStrategy"/> keeps per bypassed flow in <c>BypassRecord.StrategyState</c>:
/// the packet and byte totals last read from the maps (to tell whether the flow moved and to
/// fold only deltas into the statistics) and the map values present when an insert found the
/// entries already there (subtracted, so a flow's counters start at zero).
/// </summary>
public sealed class FlowBypassState
{
    internal FlowBypassState(EbpfBypassStrategy owner) => Owner = owner;

    internal EbpfBypassStrategy Owner { get; }

    internal FoldedTotals Folded { get; } = new();

    /// <summary>
    /// The tunnel TryBypass was told (its entries' keys carry it): the engine's later calls name
    /// the flow without it.
    /// </summary>
    internal FlowTunnel Tunnel { get; init; }

    /// <summary>
    /// The triggering packet's time on CLOCK_MONOTONIC (the XDP program's clock), or long.MinValue
    /// once the latency was measured or cannot be (entries found already in the map).
    /// </summary>
    internal long TriggerMonotonicNanoseconds { get; set; } = long.MinValue;

    /// <summary>Packets client to server already in the map when the insert found the entry there (subtracted from the flow's totals).</summary>
    public long BasePacketsToServer { get; internal set; }

    /// <summary>Bytes client to server already in the map when the insert found the entry there (subtracted from the flow's totals).</summary>
    public long BaseBytesToServer { get; internal set; }

    /// <summary>Packets server to client already in the map when the insert found the entry there (subtracted from the flow's totals).</summary>
    public long BasePacketsToClient { get; internal set; }

    /// <summary>Bytes server to client already in the map when the insert found the entry there (subtracted from the flow's totals).</summary>
    public long BaseBytesToClient { get; internal set; }
}
