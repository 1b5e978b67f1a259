using Capture.Abstractions;

namespace Capture.Linux.Xdp.Bypass;

/// <summary>
/// The capture totals of one bypassed flow already folded into its <see cref="BypassRecord"/>,
/// each direction. Both the eBPF strategy and the offload strategy fold map reads through it, so
/// "did the flow move" and "how much is new for the statistics" are decided in one place.
/// Totals only grow: a smaller read (an entry deleted under us) changes nothing.
/// </summary>
public sealed class FoldedTotals
{
    /// <summary>Packets client to server folded so far.</summary>
    public long PacketsToServer { get; private set; }

    /// <summary>Bytes client to server folded so far.</summary>
    public long BytesToServer { get; private set; }

    /// <summary>Packets server to client folded so far.</summary>
    public long PacketsToClient { get; private set; }

    /// <summary>Bytes server to client folded so far.</summary>
    public long BytesToClient { get; private set; }

    /// <summary>Starts from totals already in a record (a re-bypass) or restored from pinned maps.</summary>
    internal void Reset(long packetsToServer, long bytesToServer, long packetsToClient, long bytesToClient)
    {
        PacketsToServer = packetsToServer;
        BytesToServer = bytesToServer;
        PacketsToClient = packetsToClient;
        BytesToClient = bytesToClient;
    }

    /// <summary>
    /// Folds totals read from the maps (insert bases already subtracted) into <paramref name="record"/>.
    /// </summary>
    /// <param name="record">The flow's record; its totals become the folded totals.</param>
    /// <param name="packetsToServer">Packets client to server read from the map.</param>
    /// <param name="bytesToServer">Bytes client to server read from the map.</param>
    /// <param name="packetsToClient">Packets server to client read from the map.</param>
    /// <param name="bytesToClient">Bytes server to client read from the map.</param>
    /// <param name="newPackets">Packets not folded before (for statistics).</param>
    /// <param name="newBytes">Bytes not folded before (for statistics).</param>
    /// <returns>True when a packet total grew since the last fold.</returns>
    public bool Fold(BypassRecord record, long packetsToServer, long bytesToServer, long packetsToClient, long bytesToClient, out long newPackets, out long newBytes)
    {
        ArgumentNullException.ThrowIfNull(record);
        long ps = Math.Max(0, packetsToServer);
        long bs = Math.Max(0, bytesToServer);
        long pc = Math.Max(0, packetsToClient);
        long bc = Math.Max(0, bytesToClient);
        bool moved = ps > PacketsToServer || pc > PacketsToClient;
        newPackets = Math.Max(0, ps - PacketsToServer) + Math.Max(0, pc - PacketsToClient);
        newBytes = Math.Max(0, bs - BytesToServer) + Math.Max(0, bc - BytesToClient);
        PacketsToServer = Math.Max(ps, PacketsToServer);
        BytesToServer = Math.Max(bs, BytesToServer);
        PacketsToClient = Math.Max(pc, PacketsToClient);
        BytesToClient = Math.Max(bc, BytesToClient);
        record.FoldTotals(PacketsToServer, BytesToServer, PacketsToClient, BytesToClient);
        return moved;
    }
}
