using Capture.Abstractions;
using Capture.Linux.Xdp.Bypass;

namespace Capture.Netronome.Bypass;

/// <summary>
/// What the offload strategy keeps per bypassed flow in <see cref="BypassRecord.StrategyState"/>:
/// the map totals the bypass manager last read (written by its thread), what was already folded
/// into the flow's record, and which manager poll a liveness check needs next. Guarded by its own lock.
/// </summary>
internal sealed class OffloadFlowState
{
    public OffloadFlowState(OffloadBypassStrategy owner, in FlowTuple flow, BypassRecord inner)
    {
        Owner = owner;
        Flow = flow;
        Inner = inner;
    }

    public OffloadBypassStrategy Owner { get; }

    public FlowTuple Flow { get; }

    /// <summary>The record of the underlying eBPF strategy (its insert bases and final fold).</summary>
    public BypassRecord Inner { get; }

    public Lock Gate { get; } = new();

    /// <summary>Map values present when the insert found the entries already there (subtracted).</summary>
    public long BasePacketsToServer { get; set; }

    public long BaseBytesToServer { get; set; }

    public long BasePacketsToClient { get; set; }

    public long BaseBytesToClient { get; set; }

    /// <summary>Raw map totals of the last manager poll that found the entries.</summary>
    public long ReadPacketsToServer { get; set; }

    public long ReadBytesToServer { get; set; }

    public long ReadPacketsToClient { get; set; }

    public long ReadBytesToClient { get; set; }

    /// <summary>Totals already folded into the flow's record (base subtracted).</summary>
    public FoldedTotals Folded { get; } = new();

    /// <summary>The next liveness check needs a manager poll with at least this number (one started after the last check).</summary>
    public long NeedPoll { get; set; }

    /// <summary>Set once the entries are removed.</summary>
    public bool Released { get; set; }
}
