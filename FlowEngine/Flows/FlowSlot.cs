using System.Runtime.InteropServices;

namespace FlowEngine.Flows;

/// <summary>
/// The hot part of a flow record, one cache line: what lookup and the flow manager read. For
/// the first slot of a free cluster, <see cref="Hash"/> holds the cluster's length (the table's
/// chain array holds the next cluster).
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct FlowSlot
{
    /// <summary>The flow key (48 bytes).</summary>
    public FlowKey Key;

    /// <summary>Last packet (or last liveness answer), nanoseconds since the Unix epoch.</summary>
    public long LastSeenNanoseconds;

    /// <summary>Keyed hash of <see cref="Key"/>; the cluster length in a free cluster's first slot.</summary>
    public uint Hash;

    /// <summary>State, and the one place a flow's bypass state is kept (see <see cref="FlowBypass"/>).</summary>
    public FlowState State;

    /// <summary>Flags.</summary>
    public FlowSlotFlags Flags;

    /// <summary>Row of the timeout table, by protocol.</summary>
    public FlowTimeoutClass TimeoutClass;

    /// <summary>Unused.</summary>
    public byte Reserved;
}
