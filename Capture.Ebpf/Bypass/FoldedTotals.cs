using Capture.Abstractions;

namespace Capture.Ebpf.Bypass;

/// <summary>
/// The capture totals of one bypassed flow already folded into its <see cref="BypassRecord"/>,
/// each direction. Both the eBPF strategy and the offload strategy fold map reads through it, so
/// "did the flow move" and "how much is new for the statistics" are decided in one place.
/// Totals only grow: a smaller read (an entry deleted under us) changes nothing.
/// </summary>
internal sealed class FoldedTotals
{
    internal long PacketsToServer { get; private set; }

    internal long BytesToServer { get; private set; }

    internal long PacketsToClient { get; private set; }

    internal long BytesToClient { get; private set; }

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
    /// <returns>True when a packet total grew since the last fold.</returns>
    internal bool Fold(BypassRecord record, long packetsToServer, long bytesToServer, long packetsToClient, long bytesToClient, out long newPackets, out long newBytes)
    {
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
