namespace Capture.Ebpf.Bypass;

/// <summary>
/// What <see cref="EbpfBypassStrategy"/> keeps per bypassed flow in <c>BypassRecord.StrategyState</c>:
/// the packet and byte totals last read from the maps (to tell whether the flow moved and to
/// fold only deltas into the statistics) and the map values present when an insert found the
/// entries already there (subtracted, so a flow's counters start at zero).
/// </summary>
internal sealed class FlowBypassState
{
    internal FlowBypassState(EbpfBypassStrategy owner) => Owner = owner;

    internal EbpfBypassStrategy Owner { get; }

    internal FoldedTotals Folded { get; } = new();

    internal long BasePacketsToServer { get; set; }

    internal long BaseBytesToServer { get; set; }

    internal long BasePacketsToClient { get; set; }

    internal long BaseBytesToClient { get; set; }
}
