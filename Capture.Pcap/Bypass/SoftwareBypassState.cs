namespace Capture.Pcap.Bypass;

/// <summary>
/// The software strategy's per-flow state, kept in <see cref="Capture.Abstractions.BypassRecord.StrategyState"/>:
/// the two half-flow entries and the counter values they held when this flow was bypassed.
/// </summary>
internal sealed class SoftwareBypassState
{
    private int _released;

    public SoftwareBypassState(HalfFlowKey toServerKey, SoftwareHalfFlowCounters toServer, bool ownsToServer, HalfFlowKey toClientKey, SoftwareHalfFlowCounters toClient, bool ownsToClient)
    {
        ToServerKey = toServerKey;
        ToServer = toServer;
        OwnsToServer = ownsToServer;
        ToClientKey = toClientKey;
        ToClient = toClient;
        OwnsToClient = ownsToClient;
        toServer.Read(out long packets, out long bytes, out _);
        BasePacketsToServer = packets;
        BaseBytesToServer = bytes;
        toClient.Read(out packets, out bytes, out _);
        BasePacketsToClient = packets;
        BaseBytesToClient = bytes;
    }

    public HalfFlowKey ToServerKey { get; }

    public SoftwareHalfFlowCounters ToServer { get; }

    /// <summary>Whether this flow inserted the entry (and so removes it); false when it shares one already there.</summary>
    public bool OwnsToServer { get; }

    public HalfFlowKey ToClientKey { get; }

    public SoftwareHalfFlowCounters ToClient { get; }

    public bool OwnsToClient { get; }

    public long BasePacketsToServer { get; }

    public long BaseBytesToServer { get; }

    public long BasePacketsToClient { get; }

    public long BaseBytesToClient { get; }

    /// <summary>The record's totals when the flow was bypassed (counts add on top).</summary>
    public long RecordPacketsToServer { get; init; }

    public long RecordBytesToServer { get; init; }

    public long RecordPacketsToClient { get; init; }

    public long RecordBytesToClient { get; init; }

    /// <summary>Marks the state released; true only for the first caller.</summary>
    /// <returns>Whether this call released it.</returns>
    public bool TryMarkReleased() => Interlocked.Exchange(ref _released, 1) == 0;

    /// <summary>Whether it was released.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;
}
