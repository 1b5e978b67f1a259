namespace Capture.Abstractions;

/// <summary>
/// Per-flow bypass accounting, kept in a flow-storage slot (never in the flow record, so a flow
/// that is never bypassed pays one reference). It holds the strategy's private state and the
/// packets and bytes counted by the capture (kernel map, NIC, software filter) in the flow's own
/// direction. These are separate from the packets user space saw: nothing is counted twice.
/// </summary>
public sealed class BypassRecord
{
    /// <summary>The strategy that bypassed the flow.</summary>
    public IBypassStrategy? Strategy { get; set; }

    /// <summary>The strategy's private per-flow state (kernel keys, last totals read, ...).</summary>
    public object? StrategyState { get; set; }

    /// <summary>Packets the capture dropped for the flow, client to server.</summary>
    public long PacketsToServer { get; set; }

    /// <summary>Bytes the capture dropped for the flow, client to server.</summary>
    public long BytesToServer { get; set; }

    /// <summary>Packets the capture dropped for the flow, server to client.</summary>
    public long PacketsToClient { get; set; }

    /// <summary>Bytes the capture dropped for the flow, server to client.</summary>
    public long BytesToClient { get; set; }

    /// <summary>
    /// When the packet whose verdict asked for the bypass was captured (nanoseconds since the Unix
    /// epoch, the capture clock); 0 when unknown. The engine sets it before
    /// <see cref="IBypassStrategy.TryBypass"/>, so a strategy can measure how long its bypass took
    /// to bite, from that packet to the first packet it dropped (<see cref="BypassStatistics.Latency"/>).
    /// </summary>
    public long TriggerNanoseconds { get; set; }

    /// <summary>Whether <see cref="IBypassStrategy.Release"/> has run; a released record is not touched again.</summary>
    public bool Released { get; set; }

    /// <summary>
    /// Replaces the capture totals with newer ones, each direction; returns whether any packet
    /// count moved. Totals only grow: a smaller value (a counter read racing a delete) is ignored.
    /// </summary>
    /// <param name="packetsToServer">Total packets client to server.</param>
    /// <param name="bytesToServer">Total bytes client to server.</param>
    /// <param name="packetsToClient">Total packets server to client.</param>
    /// <param name="bytesToClient">Total bytes server to client.</param>
    /// <returns>True when a packet total grew.</returns>
    public bool FoldTotals(long packetsToServer, long bytesToServer, long packetsToClient, long bytesToClient)
    {
        bool moved = packetsToServer > PacketsToServer || packetsToClient > PacketsToClient;
        PacketsToServer = Math.Max(PacketsToServer, packetsToServer);
        BytesToServer = Math.Max(BytesToServer, bytesToServer);
        PacketsToClient = Math.Max(PacketsToClient, packetsToClient);
        BytesToClient = Math.Max(BytesToClient, bytesToClient);
        return moved;
    }
}
